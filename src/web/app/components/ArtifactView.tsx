import { useEffect, useState } from 'react';
import { fetchText, headArtifact, type ArtifactInfo } from '../api/artifacts.ts';
import { useI18n } from '../i18n.ts';
import { AiBadge } from './AiBadge.tsx';

const TEXT_TYPES = /^(text\/|application\/(json|x-subrip)|application\/.*\+json)/;
const TEXT_EXTENSIONS = /\.(lrc|srt|vtt|ass|txt|md|json)$/i;

export function formatBytes(size: number | null): string {
  if (size === null || !Number.isFinite(size)) return '';
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

/** The right player or viewer for one artifact, chosen by its MIME type, with its AI label. */
export function ArtifactView({ id, info: given }: { id: string; info?: ArtifactInfo }) {
  const { t } = useI18n();
  const [info, setInfo] = useState<ArtifactInfo | null>(given ?? null);
  const [text, setText] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    if (given) return;
    let live = true;
    headArtifact(id).then(
      (found) => live && setInfo(found),
      (error: unknown) => live && setFailed(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      live = false;
    };
  }, [id, given]);

  const isText = info !== null && (TEXT_TYPES.test(info.mimeType) || TEXT_EXTENSIONS.test(info.name ?? ''));
  useEffect(() => {
    if (!info || !isText) return;
    let live = true;
    fetchText(info.id).then((body) => live && setText(body), () => undefined);
    return () => {
      live = false;
    };
  }, [info, isText]);

  if (failed) return <div className="artifact artifact-missing">{failed}</div>;
  if (!info) return <div className="artifact artifact-loading" aria-busy="true" />;
  const mime = info.mimeType;
  const isMidi = mime === 'audio/midi' || mime === 'audio/x-midi';
  let viewer;
  if (isMidi) viewer = null;
  else if (mime.startsWith('audio/')) viewer = <audio controls preload="metadata" src={info.url} data-artifact={info.id} />;
  else if (mime.startsWith('video/')) viewer = <video controls preload="metadata" src={info.url} data-artifact={info.id} />;
  else if (mime.startsWith('image/')) viewer = <img src={info.url} alt={info.name ?? info.id} loading="lazy" />;
  else if (isText) viewer = <pre className="artifact-text">{text ?? '…'}</pre>;
  else viewer = null;

  return (
    <figure className="artifact" data-mime={mime}>
      {viewer}
      <figcaption>
        <AiBadge />
        <span className="artifact-meta">
          {info.name ?? info.id} · {mime}
          {info.size !== null ? ` · ${formatBytes(info.size)}` : ''}
        </span>
        <a className="button-link" href={info.url} download={info.name ?? info.id}>
          {isMidi ? t('midiDownload') : t('download')}
        </a>
      </figcaption>
    </figure>
  );
}
