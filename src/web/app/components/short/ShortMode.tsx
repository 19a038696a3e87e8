import { useState, type FormEvent, type ReactNode } from 'react';
import { compact, Field, Select } from '../Field.tsx';
import { ErrorBox } from '../ErrorBox.tsx';
import { JobPanel } from '../JobPanel.tsx';
import { ModeSwitch } from '../ModeSwitch.tsx';
import { ModelNotice, NeedsBadge } from '../ModelNotice.tsx';
import { ProgressBar } from '../ProgressBar.tsx';
import { UploadButton } from '../UploadButton.tsx';
import { useJob } from '../useJob.ts';
import { useModelList } from '../useModelList.ts';
import { fill, useI18n, type MessageKey } from '../../i18n.ts';
import { optionLabel } from '../../i18n-values.ts';
import { draftFromOutput, scriptJson, scriptStageRequest, SHORT_ASPECTS, SHORT_SECONDS, SHORT_STAGES, type ScriptDraft } from './short-draft.ts';
import { ShortResult } from './ShortResult.tsx';
import { ShortScriptEditor } from './ShortScriptEditor.tsx';
import { ShortStages } from './ShortStages.tsx';

const LANGUAGES = ['', 'zh', 'en'] as const;
const MUSIC = ['bed', 'none', 'upload'] as const;
type Music = (typeof MUSIC)[number];
const STAGE_LABELS: Readonly<Record<string, MessageKey>> = { script: 'shortStageScript', pictures: 'shortStagePictures', short: 'shortStageVideo' };

/**
 * Idea → short, in two steps so the user sees and edits the script before anything is
 * rendered: "Write the script" runs only the script stage (an idea through the text model, or
 * the user's own plain text parsed by the server), then "Render" runs the `short` pipeline
 * with the edited script's JSON.
 */
export function ShortMode({ modes }: { modes: ReactNode }) {
  const { t, language } = useI18n();
  const models = useModelList();
  const [source, setSource] = useState<'idea' | 'own'>('idea');
  const [idea, setIdea] = useState(t('shortIdeaDefault'));
  const [ownScript, setOwnScript] = useState(t('shortOwnScriptDefault'));
  const [duration, setDuration] = useState(String(SHORT_SECONDS.default));
  const [scriptLanguage, setScriptLanguage] = useState('');
  const [aspect, setAspect] = useState<string>(SHORT_ASPECTS[0]);
  const [pictures, setPictures] = useState<{ id: string; name: string }[]>([]);
  const [imageModel, setImageModel] = useState('');
  const [music, setMusic] = useState<Music>('bed');
  const [track, setTrack] = useState('');
  const [voice, setVoice] = useState('');
  const [draft, setDraft] = useState<ScriptDraft | null>(null);
  const [unreadable, setUnreadable] = useState(false);
  const [messages, setMessages] = useState<Record<string, string>>({});
  const scriptJob = useJob();
  const renderJob = useJob({ onMessage: (message, stepId) => stepId !== null && setMessages((m) => ({ ...m, [stepId]: message })) });

  const writeScript = async (e: FormEvent) => {
    e.preventDefault();
    const input = source === 'idea' ? { idea, duration: Number(duration), language: scriptLanguage } : { script: ownScript, language: scriptLanguage };
    const job = await scriptJob.run(scriptStageRequest(input));
    if (job === null) return;
    const written = draftFromOutput(job.outputs?.script);
    setUnreadable(written === null);
    if (written !== null) setDraft(written);
  };

  const render = (e: FormEvent) => {
    e.preventDefault();
    if (draft === null) return;
    setMessages({});
    const input = compact({
      script: scriptJson(draft),
      language: draft.language ?? scriptLanguage,
      aspect,
      pictures: pictures.length > 0 ? pictures.map((p) => p.id) : undefined,
      imageModel,
      music: music === 'none' ? 'none' : music === 'upload' ? track : undefined,
      voice,
    });
    void renderJob.run({ pipeline: 'short', input });
  };

  return (
    <>
      <form className="card" onSubmit={(e) => void writeScript(e)} aria-busy={scriptJob.running} data-testid="short-form">
        {modes}
        <p className="note">{t('shortNote')}</p>
        <ModeSwitch
          name="short-source"
          label={t('shortScript')}
          value={source}
          onChange={setSource}
          choices={[
            { value: 'idea', label: t('shortFromIdea'), badge: <NeedsBadge kind="model" /> },
            { value: 'own', label: t('shortFromOwn'), badge: <NeedsBadge kind="offline" /> },
          ]}
        />
        {source === 'idea' ? (
          <>
            <ModelNotice list={models.list} onInstalled={models.reload} />
            <Field label={t('shortIdea')} wide>
              {(id) => <textarea id={id} rows={2} value={idea} maxLength={2000} onChange={(e) => setIdea(e.target.value)} required />}
            </Field>
          </>
        ) : (
          <Field label={t('shortOwnScript')} wide>
            {(id) => <textarea id={id} rows={6} value={ownScript} onChange={(e) => setOwnScript(e.target.value)} required data-testid="short-own-script" />}
          </Field>
        )}
        <div className="row">
          {source === 'idea' ? (
            <Field label={t('shortDuration')}>
              {(id) => <input id={id} type="number" min={SHORT_SECONDS.min} max={SHORT_SECONDS.max} step={1} value={duration} onChange={(e) => setDuration(e.target.value)} required />}
            </Field>
          ) : null}
          <Field label={t('dhLanguage')}>
            {(id) => <Select id={id} value={scriptLanguage} options={LANGUAGES} onChange={setScriptLanguage} label={(v) => (v === '' ? t('dhLanguageAuto') : optionLabel(language, 'language', v))} />}
          </Field>
          <Field label={t('aspect')}>{(id) => <Select id={id} value={aspect} options={SHORT_ASPECTS} onChange={setAspect} label={(v) => optionLabel(language, 'aspect', v)} />}</Field>
        </div>
        <div className="row">
          <Field label={t('shortImageModel')}>{(id) => <input id={id} value={imageModel} placeholder={t('shortImageModelPlaceholder')} onChange={(e) => setImageModel(e.target.value)} />}</Field>
          <Field label={t('shortMusic')}>{(id) => <Select id={id} value={music} options={MUSIC} onChange={(v) => setMusic(v as Music)} label={(v) => optionLabel(language, 'shortMusic', v)} />}</Field>
          <Field label={t('voice')}>{(id) => <input id={id} value={voice} placeholder="zh, en-us, …" onChange={(e) => setVoice(e.target.value)} />}</Field>
        </div>
        {music === 'upload' ? (
          <div className="row">
            <Field label={t('shortMusicTrack')}>{(id) => <input id={id} value={track} placeholder="upl_… / art_… / ~/Music/track.mp3" onChange={(e) => setTrack(e.target.value)} />}</Field>
            <UploadButton accept="audio/*" label={t('shortMusicUpload')} onUploaded={setTrack} />
          </div>
        ) : null}
        <div className="short-pictures" data-testid="short-pictures">
          <span className="short-cues-label">{t('shortPictures')}</span>
          {pictures.map((picture, index) => (
            <span key={picture.id} className="chip" data-testid="short-picture" translate="no">
              {index + 1}. {picture.name}
              <button type="button" className="chip-remove" aria-label={fill(t('shortRemovePicture'), { name: picture.name })} onClick={() => setPictures((list) => list.filter((p) => p.id !== picture.id))}>
                ×
              </button>
            </span>
          ))}
          <UploadButton accept="image/*" label={t('shortPicturesUpload')} onUploaded={(id, file) => setPictures((list) => [...list, { id, name: file.name }])} />
        </div>
        <div className="actions">
          <button type="submit" disabled={scriptJob.running}>
            {source === 'idea' ? t('shortWriteScript') : t('shortSplitScript')}
          </button>
        </div>
        <div className="job-panel" aria-live="polite">
          {scriptJob.running ? (
            <div className="running">
              <ProgressBar progress={scriptJob.progress} />
              <button type="button" className="secondary" onClick={scriptJob.cancel}>
                {t('cancel')}
              </button>
            </div>
          ) : null}
          {scriptJob.error ? <ErrorBox error={scriptJob.error} /> : null}
          {unreadable ? <p role="alert">{t('shortScriptUnreadable')}</p> : null}
        </div>
      </form>
      {draft !== null ? (
        <form className="card" onSubmit={render} aria-busy={renderJob.running} data-testid="short-edit-form">
          <p className="note">{t('shortEditHint')}</p>
          <ShortScriptEditor value={draft} onChange={setDraft} />
          <div className="actions">
            <button type="submit" disabled={renderJob.running}>
              {t('shortRender')}
            </button>
          </div>
          <ShortStages stages={SHORT_STAGES} labels={STAGE_LABELS} state={renderJob} messages={messages} />
          <JobPanel state={renderJob} onCancel={renderJob.cancel}>
            {renderJob.job ? <ShortResult job={renderJob.job} /> : null}
          </JobPanel>
        </form>
      ) : null}
    </>
  );
}
