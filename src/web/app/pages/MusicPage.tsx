import { useState, type FormEvent } from 'react';
import { compact, Field, Select } from '../components/Field.tsx';
import { JobPanel } from '../components/JobPanel.tsx';
import { ModelNotice, NeedsBadge } from '../components/ModelNotice.tsx';
import { ModeSwitch } from '../components/ModeSwitch.tsx';
import { useJob } from '../components/useJob.ts';
import { useModelList } from '../components/useModelList.ts';
import { useI18n } from '../i18n.ts';
import { optionLabel } from '../i18n-values.ts';

const MOODS = ['warm', 'festive', 'lyrical', 'gentle', 'energetic', 'melancholy'] as const;
const GENRES = ['pop', 'ballad', 'folk', 'waltz', 'chinese'] as const;
const VOCALS = ['sung', 'spoken', 'none'] as const;

/**
 * A song from your own lyrics (the `song` pipeline: offline, the default), or the blessing-song
 * pipeline whose lyrics the text model writes (needs that model).
 */
export function MusicPage() {
  const { t, language } = useI18n();
  const [mode, setMode] = useState<'lyrics' | 'blessing'>('lyrics');
  const [lyrics, setLyrics] = useState(t('lyricsDefault'));
  const [recipient, setRecipient] = useState(language === 'zh' ? '妈妈' : 'Mum');
  const [wish, setWish] = useState(language === 'zh' ? '身体健康，新年快乐' : 'good health and a happy new year');
  const [mood, setMood] = useState<string>('warm');
  const [genre, setGenre] = useState<string>('pop');
  const [vocals, setVocals] = useState<string>('sung');
  const [model, setModel] = useState('');
  const models = useModelList();
  const job = useJob();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (mode === 'lyrics') void job.run({ pipeline: 'song', input: compact({ lyrics, mood, genre, vocals }) });
    else void job.run({ pipeline: 'blessing-song', input: compact({ recipient, wish, mood, genre, vocals, model }) });
  };
  return (
    <form className="card" onSubmit={submit} aria-busy={job.running}>
      <ModeSwitch
        name="music-mode"
        label={t('mode')}
        value={mode}
        onChange={setMode}
        choices={[
          { value: 'lyrics', label: t('musicFromLyrics'), badge: <NeedsBadge kind="offline" /> },
          { value: 'blessing', label: t('musicBlessing'), badge: <NeedsBadge kind="model" /> },
        ]}
      />
      {mode === 'lyrics' ? (
        <Field label={t('lyrics')} wide>
          {(id) => <textarea id={id} rows={6} value={lyrics} onChange={(e) => setLyrics(e.target.value)} required />}
        </Field>
      ) : (
        <>
          <ModelNotice list={model === '' ? models.list : null} onInstalled={models.reload} />
          <div className="row">
            <Field label={t('recipient')}>{(id) => <input id={id} value={recipient} onChange={(e) => setRecipient(e.target.value)} required />}</Field>
            <Field label={t('wish')}>{(id) => <input id={id} value={wish} onChange={(e) => setWish(e.target.value)} required />}</Field>
            <Field label={t('model')}>{(id) => <input id={id} value={model} placeholder={t('modelPlaceholder')} onChange={(e) => setModel(e.target.value)} />}</Field>
          </div>
        </>
      )}
      <div className="row">
        <Field label={t('mood')}>{(id) => <Select id={id} value={mood} options={MOODS} onChange={setMood} label={(v) => optionLabel(language, 'mood', v)} />}</Field>
        <Field label={t('genre')}>{(id) => <Select id={id} value={genre} options={GENRES} onChange={setGenre} label={(v) => optionLabel(language, 'genre', v)} />}</Field>
        <Field label={t('vocals')}>{(id) => <Select id={id} value={vocals} options={VOCALS} onChange={setVocals} label={(v) => optionLabel(language, 'vocals', v)} />}</Field>
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
