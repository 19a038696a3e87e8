import { useEffect, useRef, useState, type FormEvent } from 'react';
import { artifactUrl } from '../api/artifacts.ts';
import { AiBadge } from '../components/AiBadge.tsx';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { Field, Select } from '../components/Field.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { SentencePlayer } from '../components/sentence-player.ts';
import { useJob } from '../components/useJob.ts';
import { ModelNotice } from '../components/ModelNotice.tsx';
import { useModelList } from '../components/useModelList.ts';
import { useI18n } from '../i18n.ts';
import { optionLabel } from '../i18n-values.ts';

interface Turn {
  who: 'player' | 'npc';
  text: string;
  audio?: string;
  /** Its sentences already played as they were voiced: the whole reply does not start again by itself. */
  streamed?: boolean;
}

/** Stable, pipeline-safe NPC id from any name (the scene id allows only [\w.-]). */
function npcIdFor(name: string): string {
  let hash = 0;
  for (const ch of name) hash = (Math.imul(hash, 31) + (ch.codePointAt(0) ?? 0)) >>> 0;
  return `studio-${hash.toString(36)}`;
}

/** A voiced game NPC: each sentence appears and plays as soon as it is voiced; the whole reply stays playable after. */
export function NpcPage() {
  const { t, language } = useI18n();
  const models = useModelList();
  const [name, setName] = useState(t('npcDefaultName'));
  const [persona, setPersona] = useState(t('npcDefaultPersona'));
  const [world, setWorld] = useState(t('npcDefaultWorld'));
  const [quest, setQuest] = useState(t('npcDefaultQuest'));
  const [npcLanguage, setNpcLanguage] = useState<string>(language);
  const [message, setMessage] = useState(t('npcDefaultMessage'));
  const [turns, setTurns] = useState<Turn[]>([]);
  const [streaming, setStreaming] = useState<string[]>([]);
  const [played, setPlayed] = useState(0);
  const player = useRef<SentencePlayer | null>(null);
  useEffect(() => () => player.current?.stop(), []);
  const job = useJob({
    onMessage: (text) => {
      const sentence = text.replace(/^spoke:\s*/, '');
      if (sentence !== text) setStreaming((s) => [...s, sentence]);
    },
    onPartial: (piece) => {
      if (piece.output !== 'audio') return;
      player.current ??= new SentencePlayer(() => setPlayed((n) => n + 1));
      player.current.enqueue(artifactUrl(piece.artifactId));
    },
  });
  const log = useRef<HTMLOListElement>(null);
  useEffect(() => {
    // A block body: newer Chromium returns a Promise from scrollIntoView, and React would take it for a cleanup.
    log.current?.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }, [turns, streaming]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const said = message.trim();
    if (said === '') return;
    setTurns((ts) => [...ts, { who: 'player', text: said }]);
    setMessage('');
    setStreaming([]);
    player.current?.stop();
    setPlayed(0);
    const scene = { npc: { id: npcIdFor(name), name, persona, language: npcLanguage }, world, quest, player: 'studio' };
    const done = await job.run({ pipeline: 'npc-reply', input: { scene, message: said } });
    setStreaming([]);
    const outputs = done?.outputs ?? {};
    const streamed = (player.current?.started ?? 0) > 0;
    if (typeof outputs.text === 'string') {
      setTurns((ts) => [...ts, { who: 'npc', text: outputs.text as string, streamed, ...(typeof outputs.audio === 'string' ? { audio: outputs.audio } : {}) }]);
    }
  };

  return (
    <div className="npc">
      <ModelNotice list={models.list} onInstalled={models.reload} />
      <details className="card scene" open={turns.length === 0}>
        <summary>{name}</summary>
        <div className="row">
          <Field label={t('npcName')}>{(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} required />}</Field>
          <Field label={t('npcLanguage')}>{(id) => <Select id={id} value={npcLanguage} options={['zh', 'en']} onChange={setNpcLanguage} label={(v) => optionLabel(language, 'language', v)} />}</Field>
        </div>
        <Field label={t('npcPersona')} wide>
          {(id) => <textarea id={id} rows={2} value={persona} onChange={(e) => setPersona(e.target.value)} required />}
        </Field>
        <div className="row">
          <Field label={t('npcWorld')}>{(id) => <input id={id} value={world} onChange={(e) => setWorld(e.target.value)} />}</Field>
          <Field label={t('npcQuest')}>{(id) => <input id={id} value={quest} onChange={(e) => setQuest(e.target.value)} />}</Field>
        </div>
      </details>
      <ol className="chat-log" ref={log} aria-live="polite" data-testid="npc-log">
        {turns.map((turn, i) => (
          <li key={i} className={`bubble ${turn.who}`} data-testid={turn.who === 'npc' ? 'npc-reply' : 'player-line'}>
            <span className="speaker">{turn.who === 'npc' ? name : t('you')}</span>
            <p>{turn.text}</p>
            {turn.audio ? (
              <>
                <audio controls autoPlay={!turn.streamed} preload="auto" src={artifactUrl(turn.audio)} data-artifact={turn.audio} data-streamed={turn.streamed ? 'true' : 'false'} />
                <AiBadge />
              </>
            ) : null}
          </li>
        ))}
        {job.running ? (
          <li className="bubble npc pending" data-testid="npc-streaming" data-played={played}>
            <span className="speaker">{name}</span>
            <p>{streaming.length > 0 ? streaming.join(' ') : t('npcSpeaking')}</p>
            <ProgressBar progress={job.progress} />
          </li>
        ) : null}
      </ol>
      {job.error ? <ErrorBox error={job.error} /> : null}
      <form className="composer" onSubmit={submit}>
        <label className="visually-hidden" htmlFor="npc-message">
          {t('npcSay')}
        </label>
        <input id="npc-message" value={message} placeholder={t('npcSay')} onChange={(e) => setMessage(e.target.value)} />
        <button type="submit" disabled={job.running}>
          {t('send')}
        </button>
      </form>
    </div>
  );
}
