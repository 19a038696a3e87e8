import { useState, type FormEvent } from 'react';
import { compact, Field, Select } from '../components/Field.tsx';
import { JobPanel } from '../components/JobPanel.tsx';
import { ModelNotice, NeedsBadge } from '../components/ModelNotice.tsx';
import { ModeSwitch } from '../components/ModeSwitch.tsx';
import { ShortMode } from '../components/short/ShortMode.tsx';
import { UploadButton } from '../components/UploadButton.tsx';
import { useJob } from '../components/useJob.ts';
import { useModelList } from '../components/useModelList.ts';
import { fill, useI18n } from '../i18n.ts';
import { optionLabel } from '../i18n-values.ts';

/** Offline edits first; subtitles without a script need the speech-recognition model. */
const EDITS = ['cover', 'portrait', 'stabilize', 'enhance', 'subtitles', 'dub', 'folder'] as const;
const ASPECTS = ['16:9', '9:16', '1:1'] as const;

/**
 * Idea → short (the default: an idea through the text model, or your own script offline), an
 * edit of your own video (offline), or article → narrated short (needs the text model).
 */
export function VideoPage() {
  const { t, language } = useI18n();
  const [kind, setKind] = useState<'short' | 'article' | 'edit'>('short');
  const [article, setArticle] = useState('');
  const [source, setSource] = useState('');
  const [operation, setOperation] = useState<string>('cover');
  const models = useModelList();
  const [script, setScript] = useState('');
  const [aspect, setAspect] = useState('16:9');
  const job = useJob();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const input = kind === 'article' ? compact({ prompt: article, operation: 'article', aspect, scenes: 3 }) : compact({ source, operation, script, aspect });
    void job.run({ task: 'video', input });
  };
  const modes = (
    <ModeSwitch
      name="video-kind"
      label={t('operation')}
      value={kind}
      onChange={setKind}
      choices={[
        { value: 'short', label: t('videoShort') },
        { value: 'edit', label: t('editVideo'), badge: <NeedsBadge kind="offline" /> },
        { value: 'article', label: t('videoArticle'), badge: <NeedsBadge kind="model" /> },
      ]}
    />
  );
  if (kind === 'short') return <ShortMode modes={modes} />;
  return (
    <form className="card" onSubmit={submit} aria-busy={job.running}>
      {modes}
      {kind === 'article' ? (
        <>
          <ModelNotice list={models.list} onInstalled={models.reload} />
          <Field label={t('article')} wide>
            {(id) => <textarea id={id} rows={6} value={article} onChange={(e) => setArticle(e.target.value)} required />}
          </Field>
        </>
      ) : (
        <>
          <div className="row">
            <Field label={t('videoSource')}>{(id) => <input id={id} value={source} placeholder="upl_… / art_… / ~/Videos/clip.mp4" onChange={(e) => setSource(e.target.value)} required />}</Field>
            <Field label={t('operation')}>{(id) => <Select id={id} value={operation} options={EDITS} onChange={setOperation} label={(v) => (v === 'subtitles' ? `${optionLabel(language, 'videoEdit', v)} · ${fill(t('needsModelIf'), { condition: t('withoutScript') })}` : optionLabel(language, 'videoEdit', v))} />}</Field>
          </div>
          <UploadButton accept="video/*,audio/*,image/*" onUploaded={setSource} />
          <Field label={t('script')} wide>
            {(id) => <textarea id={id} rows={3} value={script} onChange={(e) => setScript(e.target.value)} />}
          </Field>
        </>
      )}
      <div className="row">
        <Field label={t('aspect')}>{(id) => <Select id={id} value={aspect} options={ASPECTS} onChange={setAspect} label={(v) => optionLabel(language, 'aspect', v)} />}</Field>
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
