import { useId, useRef, useState } from 'react';
import { uploadFile } from '../api/uploads.ts';
import { useI18n } from '../i18n.ts';
import { ErrorBox } from './ErrorBox.tsx';
import { ProgressBar } from './ProgressBar.tsx';

/**
 * Picks a file from this computer and uploads it (progress shown); hands back the `upl_…` id
 * for a media field. The file stays the user's own: it is never labeled or listed as output.
 */
export function UploadButton({ accept, onUploaded, label }: { accept: string; onUploaded: (id: string, file: File) => void; label?: string }) {
  const { t } = useI18n();
  const id = useId();
  const [state, setState] = useState<{ name: string; fraction: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const abort = useRef<AbortController | null>(null);
  const pick = async (file: File | undefined) => {
    if (file === undefined) return;
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setError(null);
    setState({ name: file.name, fraction: 0 });
    try {
      const upload = await uploadFile(file, (fraction) => setState({ name: file.name, fraction }), controller.signal);
      onUploaded(upload.id, file);
    } catch (e) {
      if (!controller.signal.aborted) setError(e);
    } finally {
      if (abort.current === controller) setState(null);
    }
  };
  return (
    <div className="field upload-field">
      <label htmlFor={id}>{label ?? t('uploadFile')}</label>
      <input id={id} type="file" accept={accept} data-testid="upload-input" disabled={state !== null} onChange={(e) => void pick(e.target.files?.[0])} />
      {state !== null ? <ProgressBar progress={{ fraction: state.fraction, message: `${t('uploading')} ${state.name}`, stepId: null, etaMs: null }} /> : null}
      {error !== null ? <ErrorBox error={error} /> : null}
    </div>
  );
}
