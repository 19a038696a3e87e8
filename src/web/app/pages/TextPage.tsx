import { useEffect, useRef, useState, type FormEvent } from 'react';
import { listChatModels, streamChat, type ChatMessage } from '../api/chat.ts';
import { AiBadge } from '../components/AiBadge.tsx';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { Field } from '../components/Field.tsx';
import { useI18n } from '../i18n.ts';

/** Chat through the OpenAI-compatible endpoint, tokens appearing as they stream. */
export function TextPage() {
  const { t } = useI18n();
  const [models, setModels] = useState<string[]>([]);
  const [model, setModel] = useState('');
  const [system, setSystem] = useState('');
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const abort = useRef<AbortController | null>(null);

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
      for await (const delta of streamChat(model || 'default', prompt, controller.signal)) {
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
