import { useEffect, useRef, useState, type FormEvent } from 'react';
import { listChatModels, streamChat, type ChatFit, type ChatMessage } from '../api/chat.ts';
import { AiBadge } from '../components/AiBadge.tsx';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { Field } from '../components/Field.tsx';
import { ModelNotice } from '../components/ModelNotice.tsx';
import { useModelList } from '../components/useModelList.ts';
import { fill, useI18n } from '../i18n.ts';

/** A reply long enough for a few paragraphs, short enough to leave most of a small model's context to the history. */
const DEFAULT_MAX_TOKENS = 512;

/** Chat through the OpenAI-compatible endpoint, tokens appearing as they stream. */
export function TextPage() {
  const { t } = useI18n();
  // The server's default text model: sent when the field is empty, and pulled from here when it is missing.
  const defaults = useModelList();
  const [models, setModels] = useState<string[]>([]);
  const [model, setModel] = useState('');
  const [system, setSystem] = useState('');
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [maxTokens, setMaxTokens] = useState(DEFAULT_MAX_TOKENS);
  // What the server left out of the last request to fit the model's context.
  const [fit, setFit] = useState<ChatFit | null>(null);
  const abort = useRef<AbortController | null>(null);

  const newChat = () => {
    abort.current?.abort();
    setMessages([]);
    setError(null);
    setFit(null);
    setDraft('');
  };

  useEffect(() => {
    listChatModels().then(
      (ids) => {
        setModels(ids);
        setModel((current) => current || ids[0] || '');
      },
      () => undefined,
    );
  }, []);

  const send = async (e: FormEvent) => {
    e.preventDefault();
    const content = draft.trim();
    if (content === '' || busy) return;
    const history: ChatMessage[] = [...messages, { role: 'user', content }];
    setMessages([...history, { role: 'assistant', content: '' }]);
    setDraft('');
    setBusy(true);
    setError(null);
    const controller = new AbortController();
    abort.current = controller;
    try {
      const prompt = system.trim() ? [{ role: 'system' as const, content: system.trim() }, ...history] : history;
      let reply = '';
      const options = { signal: controller.signal, onFit: setFit, ...(Number.isInteger(maxTokens) && maxTokens > 0 ? { maxTokens } : {}) };
      for await (const delta of streamChat(model || defaults.list?.defaultTextModel || '', prompt, options)) {
        // "New chat" aborted this reply: it must not reappear in the cleared log.
        if (controller.signal.aborted) break;
        reply += delta;
        setMessages([...history, { role: 'assistant', content: reply }]);
      }
    } catch (caught) {
      if (!controller.signal.aborted) {
        setError(caught);
        setMessages(history);
      }
    } finally {
      setBusy(false);
      abort.current = null;
    }
  };

  return (
    <div className="chat">
      <ModelNotice list={model === '' ? defaults.list : null} onInstalled={defaults.reload} />
      <div className="card row">
        <Field label={t('model')}>
          {(id) => (
            <>
              <input id={id} list="chat-models" value={model} placeholder={t('modelPlaceholder')} onChange={(e) => setModel(e.target.value)} />
              <datalist id="chat-models">
                {models.map((m) => (
                  <option key={m} value={m} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label={t('systemPrompt')}>{(id) => <input id={id} value={system} onChange={(e) => setSystem(e.target.value)} />}</Field>
        <Field label={t('maxTokens')}>
          {(id) => <input id={id} type="number" min={1} max={32768} step={1} value={maxTokens} onChange={(e) => setMaxTokens(Math.floor(Number(e.target.value)))} />}
        </Field>
        <button type="button" className="secondary" onClick={newChat} disabled={messages.length === 0 && error === null}>
          {t('newChat')}
        </button>
      </div>
      <ol className="chat-log" aria-live="polite">
        {messages.map((m, i) => (
          <li key={i} className={`bubble ${m.role === 'user' ? 'player' : 'npc'}`}>
            <span className="speaker">{m.role === 'user' ? t('you') : model || 'AI'}</span>
            <p>{m.content || '…'}</p>
            {m.role === 'assistant' && m.content ? <AiBadge /> : null}
          </li>
        ))}
      </ol>
      {fit && fit.droppedMessages > 0 ? (
        <p className="note" role="status">
          {fill(t('chatTrimmed'), { n: fit.droppedMessages, context: fit.contextTokens ?? '?' })}
        </p>
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
      <form className="composer" onSubmit={send}>
        <label className="visually-hidden" htmlFor="chat-message">
          {t('chatPlaceholder')}
        </label>
        <input id="chat-message" value={draft} placeholder={t('chatPlaceholder')} onChange={(e) => setDraft(e.target.value)} />
        {busy ? (
          <button type="button" className="secondary" onClick={() => abort.current?.abort()}>
            {t('cancel')}
          </button>
        ) : (
          <button type="submit">{t('send')}</button>
        )}
      </form>
    </div>
  );
}
