import { useState, type FormEvent } from 'react';
import { compact, Field, Select } from '../components/Field.tsx';
import { JobPanel } from '../components/JobPanel.tsx';
import { useJob } from '../components/useJob.ts';
import { useI18n } from '../i18n.ts';
import { optionLabel } from '../i18n-values.ts';

export function SpeechPage() {
  const { t, language } = useI18n();
  const [text, setText] = useState(t('speechDefault'));
  const [voice, setVoice] = useState('');
  const [speed, setSpeed] = useState('1');
  const [format, setFormat] = useState('wav');
  const job = useJob();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void job.run({ task: 'speech', input: compact({ text, voice, speed: Number(speed), format }) });
  };
  return (
    <form className="card" onSubmit={submit} aria-busy={job.running}>
      <Field label={t('speechText')} wide>
        {(id) => <textarea id={id} name="text" rows={4} value={text} onChange={(e) => setText(e.target.value)} required />}
      </Field>
      <div className="row">
        <Field label={t('voice')}>{(id) => <input id={id} value={voice} placeholder="zh, en-us, …" onChange={(e) => setVoice(e.target.value)} />}</Field>
        <Field label={t('speed')}>
          {(id) => <input id={id} type="number" min={0.25} max={4} step={0.05} value={speed} onChange={(e) => setSpeed(e.target.value)} />}
        </Field>
        <Field label={t('format')}>{(id) => <Select id={id} value={format} options={['wav', 'mp3', 'ogg', 'flac']} onChange={setFormat} label={(v) => optionLabel(language, 'audioFormat', v)} />}</Field>
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
