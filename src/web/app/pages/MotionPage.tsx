import { useState, type FormEvent } from 'react';
import { compact, Field, Select } from '../components/Field.tsx';
import { JobPanel } from '../components/JobPanel.tsx';
import { MotionResult } from '../components/MotionResult.tsx';
import { useJob } from '../components/useJob.ts';
import { useI18n } from '../i18n.ts';
import { optionLabel } from '../i18n-values.ts';

/** The `motion` task's choices (src/tasks/motion.ts): GLB plays in the studio and anywhere; BVH opens in Blender. */
const FORMATS = ['glb', 'bvh'] as const;
const FPS = ['24', '30', '60'] as const;

/** Text → motion: offline by the rule-based parser, or expanded by a text model (Action-GPT) when one is named. */
export function MotionPage() {
  const { t, language } = useI18n();
  const [prompt, setPrompt] = useState(t('motionDefault'));
  const [format, setFormat] = useState<string>('glb');
  const [fps, setFps] = useState<string>('30');
  const [seed, setSeed] = useState('');
  const [model, setModel] = useState('');
  const job = useJob();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const input = compact({ prompt, format, fps: Number(fps), model, seed: seed.trim() === '' ? undefined : Number(seed) });
    void job.run({ task: 'motion', input });
  };
  return (
    <form className="card" onSubmit={submit} aria-busy={job.running} data-testid="motion-form">
      <p className="note">{t('motionNote')}</p>
      <Field label={t('motionPrompt')} wide>
        {(id) => <textarea id={id} rows={2} value={prompt} onChange={(e) => setPrompt(e.target.value)} required />}
      </Field>
      <div className="row">
        <Field label={t('format')}>{(id) => <Select id={id} value={format} options={FORMATS} onChange={setFormat} label={(v) => optionLabel(language, 'motionFormat', v)} />}</Field>
        <Field label={t('motionFps')}>{(id) => <Select id={id} value={fps} options={FPS} onChange={setFps} />}</Field>
        <Field label={t('model3dSeed')}>{(id) => <input id={id} type="number" min={0} step={1} value={seed} onChange={(e) => setSeed(e.target.value)} />}</Field>
        <Field label={t('model')}>{(id) => <input id={id} value={model} placeholder={t('modelPlaceholder')} onChange={(e) => setModel(e.target.value)} />}</Field>
      </div>
      <div className="actions">
        <button type="submit" disabled={job.running}>
          {t('generate')}
        </button>
      </div>
      <JobPanel state={job} onCancel={job.cancel}>
        {job.job ? <MotionResult job={job.job} /> : null}
      </JobPanel>
    </form>
  );
}
