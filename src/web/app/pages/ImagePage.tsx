import { useState, type FormEvent } from 'react';
import { compact, Field, Select } from '../components/Field.tsx';
import { JobPanel } from '../components/JobPanel.tsx';
import { useJob } from '../components/useJob.ts';
import { useI18n } from '../i18n.ts';

export function ImagePage() {
  const { t } = useI18n();
  const [prompt, setPrompt] = useState(t('imageDefault'));
  const [model, setModel] = useState('');
  const [size, setSize] = useState('1024x1024');
  const [count, setCount] = useState('1');
  const job = useJob();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const [width, height] = size.split('x').map(Number);
    void job.run({ task: 'image', input: compact({ prompt, model, width, height, count: Number(count) }) });
  };
  return (
    <form className="card" onSubmit={submit} aria-busy={job.running}>
      <p className="note">{t('imageNote')}</p>
      <Field label={t('imagePrompt')} wide>
        {(id) => <textarea id={id} rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} required />}
      </Field>
      <div className="row">
        <Field label={t('model')}>{(id) => <input id={id} value={model} placeholder={t('modelPlaceholder')} onChange={(e) => setModel(e.target.value)} />}</Field>
        <Field label={`${t('width')} × ${t('height')}`}>
          {(id) => <Select id={id} value={size} options={['1024x1024', '1280x720', '720x1280', '768x768', '512x512']} onChange={setSize} />}
        </Field>
        <Field label={t('count')}>{(id) => <Select id={id} value={count} options={['1', '2', '4']} onChange={setCount} />}</Field>
      </div>
      <div className="actions">
        <button type="submit" disabled={job.running}>
          {t('generate')}
        </button>
      </div>
      <JobPanel state={job} onCancel={job.cancel} />
    </form>
  );
}
