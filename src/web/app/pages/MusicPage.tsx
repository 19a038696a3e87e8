import { useState, type FormEvent } from 'react';
import { compact, Field, Select } from '../components/Field.tsx';
import { JobPanel } from '../components/JobPanel.tsx';
import { useJob } from '../components/useJob.ts';
import { useI18n } from '../i18n.ts';

const MOODS = ['warm', 'festive', 'lyrical', 'gentle', 'energetic', 'melancholy'] as const;
const GENRES = ['pop', 'ballad', 'folk', 'waltz', 'chinese'] as const;

/** The blessing-song pipeline: lyrics by the text model, melody, sung vocal, LRC and MIDI. */
export function MusicPage() {
  const { t, language } = useI18n();
  const [recipient, setRecipient] = useState(language === 'zh' ? '妈妈' : 'Mum');
  const [wish, setWish] = useState(language === 'zh' ? '身体健康，新年快乐' : 'good health and a happy new year');
  const [mood, setMood] = useState<string>('warm');
  const [genre, setGenre] = useState<string>('pop');
  const [vocals, setVocals] = useState('sung');
  const [model, setModel] = useState('');
  const job = useJob();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void job.run({ pipeline: 'blessing-song', input: compact({ recipient, wish, mood, genre, vocals, model }) });
  };
  return (
    <form className="card" onSubmit={submit} aria-busy={job.running}>
      <div className="row">
        <Field label={t('recipient')}>{(id) => <input id={id} value={recipient} onChange={(e) => setRecipient(e.target.value)} required />}</Field>
        <Field label={t('wish')}>{(id) => <input id={id} value={wish} onChange={(e) => setWish(e.target.value)} required />}</Field>
      </div>
      <div className="row">
        <Field label={t('mood')}>{(id) => <Select id={id} value={mood} options={MOODS} onChange={setMood} />}</Field>
        <Field label={t('genre')}>{(id) => <Select id={id} value={genre} options={GENRES} onChange={setGenre} />}</Field>
        <Field label={t('vocals')}>{(id) => <Select id={id} value={vocals} options={['sung', 'spoken', 'none']} onChange={setVocals} />}</Field>
        <Field label={t('model')}>{(id) => <input id={id} value={model} placeholder={t('modelPlaceholder')} onChange={(e) => setModel(e.target.value)} />}</Field>
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
