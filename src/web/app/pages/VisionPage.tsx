import { useState, type FormEvent } from 'react';
import { compact, Field, Select } from '../components/Field.tsx';
import { JobPanel } from '../components/JobPanel.tsx';
import { UploadButton } from '../components/UploadButton.tsx';
import { useJob } from '../components/useJob.ts';
import { useI18n } from '../i18n.ts';
import { optionLabel } from '../i18n-values.ts';

/** OCR (offline, Chinese and English), captions and questions about a picture. */
export function VisionPage() {
  const { t, language } = useI18n();
  const [image, setImage] = useState('');
  const [mode, setMode] = useState('ocr');
  const [question, setQuestion] = useState('');
  const [model, setModel] = useState('');
  const job = useJob();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void job.run({ task: 'vision', input: compact({ image, mode, question: mode === 'question' ? question : '', model }) });
  };
  return (
    <form className="card" onSubmit={submit} aria-busy={job.running}>
      <div className="row">
        <Field label={t('imageSource')}>{(id) => <input id={id} value={image} placeholder="upl_… / art_… / ~/Pictures/sign.png" onChange={(e) => setImage(e.target.value)} required />}</Field>
        <Field label={t('mode')}>{(id) => <Select id={id} value={mode} options={['ocr', 'caption', 'question']} onChange={setMode} label={(v) => (v === 'ocr' ? `${optionLabel(language, 'visionMode', v)} · ${t('worksOffline')}` : `${optionLabel(language, 'visionMode', v)} · ${t('needsCloudModel')}`)} />}</Field>
        <Field label={t('model')}>{(id) => <input id={id} value={model} placeholder={t('modelPlaceholder')} onChange={(e) => setModel(e.target.value)} />}</Field>
      </div>
      <UploadButton accept="image/*" onUploaded={setImage} />
      {mode === 'question' ? (
        <Field label={t('question')} wide>
          {(id) => <input id={id} value={question} onChange={(e) => setQuestion(e.target.value)} required />}
        </Field>
      ) : null}
      <div className="actions">
        <button type="submit" disabled={job.running}>
          {t('generate')}
        </button>
      </div>
      <JobPanel state={job} onCancel={job.cancel} />
    </form>
  );
}
