import { useState, type FormEvent } from 'react';
import { compact, Field, Select } from '../components/Field.tsx';
import { JobPanel } from '../components/JobPanel.tsx';
import { Model3dResult } from '../components/Model3dResult.tsx';
import { useJob } from '../components/useJob.ts';
import { useI18n } from '../i18n.ts';
import { optionLabel } from '../i18n-values.ts';

/** The `3d` task's choices (src/tasks/model3d.ts). */
const DETAILS = ['low', 'medium', 'high'] as const;
const FORMATS = ['glb', 'gltf', 'stl', '3mf', 'usdz'] as const;

/** Text → 3D model: offline from the built-in library, or a scene program written by a text model. */
export function Model3dPage() {
  const { t, language } = useI18n();
  const [prompt, setPrompt] = useState(t('model3dDefault'));
  const [detail, setDetail] = useState<string>('medium');
  const [format, setFormat] = useState<string>('glb');
  const [seed, setSeed] = useState('');
  const [model, setModel] = useState('');
  const [turntable, setTurntable] = useState(false);
  const job = useJob();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // One build, every file a user may want to download: the chosen format is the one shown.
    const alsoFormats = FORMATS.filter((f) => f !== format);
    const input = compact({ prompt, detail, format, alsoFormats, model, seed: seed.trim() === '' ? undefined : Number(seed), turntable: turntable || undefined });
    void job.run({ task: '3d', input });
  };
  return (
    <form className="card" onSubmit={submit} aria-busy={job.running} data-testid="model3d-form">
      <p className="note">{t('model3dNote')}</p>
      <Field label={t('model3dPrompt')} wide>
        {(id) => <textarea id={id} rows={2} value={prompt} onChange={(e) => setPrompt(e.target.value)} required />}
      </Field>
      <div className="row">
        <Field label={t('model3dDetail')}>{(id) => <Select id={id} value={detail} options={DETAILS} onChange={setDetail} label={(v) => optionLabel(language, 'detail', v)} />}</Field>
        <Field label={t('format')}>{(id) => <Select id={id} value={format} options={FORMATS} onChange={setFormat} label={(v) => optionLabel(language, 'modelFormat', v)} />}</Field>
        <Field label={t('model3dSeed')}>{(id) => <input id={id} type="number" min={0} step={1} value={seed} onChange={(e) => setSeed(e.target.value)} />}</Field>
        <Field label={t('model')}>{(id) => <input id={id} value={model} placeholder={t('modelPlaceholder')} onChange={(e) => setModel(e.target.value)} />}</Field>
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={turntable} onChange={(e) => setTurntable(e.target.checked)} /> {t('model3dTurntable')}
      </label>
      <div className="actions">
        <button type="submit" disabled={job.running}>
          {t('generate')}
        </button>
      </div>
      <JobPanel state={job} onCancel={job.cancel}>
        {job.job ? <Model3dResult job={job.job} /> : null}
      </JobPanel>
    </form>
  );
}
