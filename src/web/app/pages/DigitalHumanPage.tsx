import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/http.ts';
import { ConsentFields } from '../components/ConsentFields.tsx';
import { consentInput, EMPTY_CONSENT, type ConsentDraft } from '../components/consent-draft.ts';
import { compact, Field, Select } from '../components/Field.tsx';
import { JobPanel } from '../components/JobPanel.tsx';
import { ModeSwitch } from '../components/ModeSwitch.tsx';
import { NeedsBadge } from '../components/ModelNotice.tsx';
import { PortraitPicker, type Portrait } from '../components/PortraitPicker.tsx';
import { TalkingHeadResult } from '../components/TalkingHeadResult.tsx';
import { UploadButton } from '../components/UploadButton.tsx';
import { useJob } from '../components/useJob.ts';
import { useModelList } from '../components/useModelList.ts';
import { useI18n } from '../i18n.ts';
import { optionLabel } from '../i18n-values.ts';

/** The `talking-head` pipeline's choices (src/pipelines/…/talking-head). '' = let the server decide. */
const LANGUAGES = ['', 'zh', 'en'] as const;
const RESOLUTIONS = ['source', '720p', '1080p'] as const;
const LAYOUTS = ['portrait', 'presenter'] as const;

/**
 * Portrait + script (or your own recording) → a lip-synced presenter video, rendered on this
 * computer's CPU. An uploaded photo is of a real person until said otherwise: the page asks
 * for their consent before it submits, and the server records it in the provenance.
 */
export function DigitalHumanPage() {
  const { t, language } = useI18n();
  const models = useModelList();
  const [portrait, setPortrait] = useState<Portrait | null>(null);
  const [speech, setSpeech] = useState<'script' | 'audio'>('script');
  const [text, setText] = useState(t('dhScriptDefault'));
  const [audio, setAudio] = useState('');
  const [voice, setVoice] = useState('');
  const [speechLanguage, setSpeechLanguage] = useState('');
  const [speed, setSpeed] = useState('1');
  const [consent, setConsent] = useState<ConsentDraft>(EMPTY_CONSENT);
  const [refused, setRefused] = useState(false);
  const [resolution, setResolution] = useState<string>('source');
  const [layout, setLayout] = useState<string>('portrait');
  // null: the server's default for the layout (on for the presenter, off for a bare portrait).
  const [subtitles, setSubtitles] = useState<boolean | null>(null);
  const [blink, setBlink] = useState(true);
  const [headMotion, setHeadMotion] = useState(true);
  const [model, setModel] = useState('');
  const [seed, setSeed] = useState('');
  const [missingPortrait, setMissingPortrait] = useState(false);
  const job = useJob();
  // An upload is a photo of a real person until said otherwise; a gallery picture too once the server says so.
  const serverAskedConsent = job.error instanceof ApiError && job.error.code === 'GOVERNANCE_REFUSED';
  const needsConsent = portrait !== null && (portrait.source === 'upload' || serverAskedConsent);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMissingPortrait(portrait === null);
    if (portrait === null) return;
    const given = consentInput(consent);
    // Imitating a real person without their consent is refused here, before anything is sent.
    setRefused(needsConsent && given === null);
    if (needsConsent && given === null) return;
    const input = compact({
      portrait: portrait.id,
      ...(speech === 'script' ? { text, voice, language: speechLanguage, speed: Number(speed) } : { audio }),
      consent: needsConsent ? given : undefined,
      model,
      resolution,
      layout,
      subtitles: subtitles ?? undefined,
      blink,
      headMotion,
      seed: seed.trim() === '' ? undefined : Number(seed),
    });
    void job.run({ pipeline: 'talking-head', input });
  };

  return (
    <form className="card" onSubmit={submit} aria-busy={job.running} data-testid="digital-human-form" noValidate>
      <p className="note">
        {t('dhNote')} <NeedsBadge kind="offline" />
      </p>
      <PortraitPicker
        value={portrait}
        models={models.list}
        onChange={(chosen) => {
          setPortrait(chosen);
          setMissingPortrait(false);
          setRefused(false);
        }}
      />
      {missingPortrait ? (
        <p className="consent-refusal" role="alert" data-testid="portrait-missing">
          {t('dhPortraitMissing')}
        </p>
      ) : null}
      {needsConsent ? <ConsentFields value={consent} onChange={setConsent} refused={refused} /> : null}
      {portrait?.source === 'artifact' && !needsConsent ? (
        <p className="muted" data-testid="consent-not-needed">
          {t('dhConsentNotNeeded')}
        </p>
      ) : null}
      <ModeSwitch
        name="dh-speech"
        label={t('dhSpeechFrom')}
        value={speech}
        onChange={setSpeech}
        choices={[
          { value: 'script', label: t('dhFromScript') },
          { value: 'audio', label: t('dhFromAudio') },
        ]}
      />
      {speech === 'script' ? (
        <>
          <Field label={t('dhScript')} wide>
            {(id) => <textarea id={id} rows={3} value={text} onChange={(e) => setText(e.target.value)} required />}
          </Field>
          <div className="row">
            <Field label={t('voice')}>{(id) => <input id={id} value={voice} placeholder="zh, en-us, …" onChange={(e) => setVoice(e.target.value)} />}</Field>
            <Field label={t('dhLanguage')}>
              {(id) => <Select id={id} value={speechLanguage} options={LANGUAGES} onChange={setSpeechLanguage} label={(v) => (v === '' ? t('dhLanguageAuto') : optionLabel(language, 'language', v))} />}
            </Field>
            <Field label={t('speed')}>{(id) => <input id={id} type="number" min={0.5} max={2} step={0.05} value={speed} onChange={(e) => setSpeed(e.target.value)} />}</Field>
          </div>
        </>
      ) : (
        <>
          <Field label={t('dhAudio')}>{(id) => <input id={id} value={audio} placeholder="upl_… / art_… / ~/Music/talk.wav" onChange={(e) => setAudio(e.target.value)} required />}</Field>
          <UploadButton accept="audio/*" label={t('dhAudioUpload')} onUploaded={setAudio} />
        </>
      )}
      <div className="row">
        <Field label={t('dhResolution')}>{(id) => <Select id={id} value={resolution} options={RESOLUTIONS} onChange={setResolution} label={(v) => optionLabel(language, 'dhResolution', v)} />}</Field>
        <Field label={t('dhLayout')}>{(id) => <Select id={id} value={layout} options={LAYOUTS} onChange={setLayout} label={(v) => optionLabel(language, 'dhLayout', v)} />}</Field>
        <Field label={t('model3dSeed')}>{(id) => <input id={id} type="number" min={0} step={1} value={seed} onChange={(e) => setSeed(e.target.value)} />}</Field>
        <Field label={t('model')}>{(id) => <input id={id} value={model} placeholder={t('dhModelPlaceholder')} onChange={(e) => setModel(e.target.value)} />}</Field>
      </div>
      <div className="row dh-options">
        <label className="checkbox">
          <input type="checkbox" checked={subtitles ?? layout === 'presenter'} onChange={(e) => setSubtitles(e.target.checked)} /> {t('dhSubtitles')}
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={blink} onChange={(e) => setBlink(e.target.checked)} /> {t('dhBlink')}
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={headMotion} onChange={(e) => setHeadMotion(e.target.checked)} /> {t('dhHeadMotion')}
        </label>
      </div>
      <div className="actions">
        <button type="submit" disabled={job.running}>
          {t('generate')}
        </button>
      </div>
      <JobPanel state={job} onCancel={job.cancel}>
        {job.job ? <TalkingHeadResult job={job.job} /> : null}
      </JobPanel>
    </form>
  );
}
