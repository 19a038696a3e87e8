import { useState, type FormEvent } from 'react';
import { compact, Field, Select } from '../components/Field.tsx';
import { JobPanel } from '../components/JobPanel.tsx';
import { UploadButton } from '../components/UploadButton.tsx';
import { useJob } from '../components/useJob.ts';
import { useI18n } from '../i18n.ts';

const EDITS = ['subtitles', 'dub', 'cover', 'portrait', 'stabilize', 'enhance', 'folder'] as const;

/** Article → narrated short, or an edit of your own video (subtitles, dub, cover, …). */
export function VideoPage() {
  const { t } = useI18n();
  const [kind, setKind] = useState<'article' | 'edit'>('article');
  const [article, setArticle] = useState('');
  const [source, setSource] = useState('');
  const [operation, setOperation] = useState<string>('subtitles');
  const [script, setScript] = useState('');
  const [aspect, setAspect] = useState('16:9');
  const job = useJob();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const input = kind === 'article' ? compact({ prompt: article, operation: 'article', aspect, scenes: 3 }) : compact({ source, operation, script, aspect });
    void job.run({ task: 'video', input });
  };
  return (
    <form className="card" onSubmit={submit} aria-busy={job.running}>
      <div className="segmented" role="radiogroup" aria-label={t('operation')}>
        {(['article', 'edit'] as const).map((value) => (
          <label key={value} className={kind === value ? 'selected' : ''}>
            <input type="radio" name="video-kind" checked={kind === value} onChange={() => setKind(value)} />
            {value === 'article' ? t('videoArticle') : t('editVideo')}
          </label>
        ))}
      </div>
      {kind === 'article' ? (
        <Field label={t('article')} wide>
          {(id) => <textarea id={id} rows={6} value={article} onChange={(e) => setArticle(e.target.value)} required />}
        </Field>
      ) : (
        <>
          <div className="row">
            <Field label={t('videoSource')}>{(id) => <input id={id} value={source} placeholder="upl_… / art_… / ~/Videos/clip.mp4" onChange={(e) => setSource(e.target.value)} required />}</Field>
            <Field label={t('operation')}>{(id) => <Select id={id} value={operation} options={EDITS} onChange={setOperation} />}</Field>
          </div>
          <UploadButton accept="video/*,audio/*,image/*" onUploaded={setSource} />
          <Field label={t('script')} wide>
            {(id) => <textarea id={id} rows={3} value={script} onChange={(e) => setScript(e.target.value)} />}
          </Field>
        </>
      )}
      <div className="row">
        <Field label="Aspect">{(id) => <Select id={id} value={aspect} options={['16:9', '9:16', '1:1']} onChange={setAspect} />}</Field>
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
