import { useEffect, useState } from 'react';
import { explicitWording, fetchArtifactInfo, fetchText, type ArtifactInfo, type ProvenanceView } from '../api/artifacts.ts';
import { useI18n } from '../i18n.ts';
import { optionLabel } from '../i18n-values.ts';
import { AiBadge } from './AiBadge.tsx';
import { LazyModelViewer } from './LazyModelViewer.tsx';
import { LazyMotionPlayer } from './LazyMotionPlayer.tsx';

const TEXT_TYPES = /^(text\/|application\/(json|x-subrip)|application\/.*\+json)/;
const TEXT_EXTENSIONS = /\.(lrc|srt|vtt|ass|txt|md|json)$/i;

/** A 3D model the viewer can open (glTF/GLB, STL, 3MF); a glTF's JSON MIME type must not fall through to the text view. */
export function isModel3d(info: { kind: string; mimeType: string }): boolean {
  return info.kind === 'model3d' || info.mimeType.startsWith('model/');
}

/** A motion the player plays: a motion artifact as GLB (skinned mannequin) or BVH. */
export function isMotion(info: { kind: string; mimeType: string; name: string | null }): boolean {
  return info.kind === 'motion' && (info.mimeType === 'model/gltf-binary' || /bvh/i.test(info.mimeType) || (info.name ?? '').toLowerCase().endsWith('.bvh'));
}

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
  // Each live viewer draws on software WebGL where there is no GPU: one job's STL, 3MF and USDZ
  // copies of the same model open on request, the GLB/glTF at once.
  const [opened, setOpened] = useState(false);

  useEffect(() => {
    if (given) return;
    let live = true;
    fetchArtifactInfo(id).then(
      (found) => live && setInfo(found),
      (error: unknown) => live && setFailed(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      live = false;
    };
  }, [id, given]);

  const isText = info !== null && !isModel3d(info) && !isMotion(info) && (TEXT_TYPES.test(info.mimeType) || TEXT_EXTENSIONS.test(info.name ?? ''));
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
  else if (isMotion(info)) viewer = <LazyMotionPlayer url={info.url} mimeType={mime} name={info.name} labelWording={explicitWording(info.labels)} />;
  else if (isModel3d(info) && (opened || mime.startsWith('model/gltf'))) viewer = <LazyModelViewer url={info.url} mimeType={mime} name={info.name} labelWording={explicitWording(info.labels)} />;
  else if (isModel3d(info))
    viewer = (
      <button type="button" className="button-link" data-testid="open-model-viewer" onClick={() => setOpened(true)}>
        {t('view3d')}
      </button>
    );
  else if (isText) viewer = <pre className="artifact-text">{text ?? '…'}</pre>;
  else viewer = null;

  return (
    <figure className="artifact" data-mime={mime}>
      {viewer}
      <figcaption>
        <AiBadge />
        {/* File name, MIME type and size: identifiers, each kept whole on one line where it fits. */}
        <span className="artifact-meta" translate="no">
          <span>{info.name ?? info.id}</span>
          <span>{mime}</span>
          {info.size !== null ? <span>{formatBytes(info.size)}</span> : null}
        </span>
        <a className="button-link" href={info.url} download={info.name ?? info.id}>
          {isMidi ? t('midiDownload') : t('download')}
        </a>
      </figcaption>
      {info.labels.length > 0 || info.provenance ? (
        <details className="artifact-details">
          <summary>
            {t('labels')} · {t('provenance')}
          </summary>
          <ul className="plain labels" data-testid="artifact-labels">
            {info.labels.map((label, i) => (
              <li key={i}>
                <code>{label.type}</code>
                {label.placement ? <code> ({label.placement})</code> : ''}
                {label.value !== undefined ? <pre className="artifact-text">{typeof label.value === 'string' ? label.value : JSON.stringify(label.value, null, 1)}</pre> : null}
              </li>
            ))}
          </ul>
          {info.provenance ? <ProvenanceList provenance={info.provenance} /> : null}
        </details>
      ) : null}
    </figure>
  );
}

function ProvenanceList({ provenance }: { provenance: ProvenanceView }) {
  const { t, language } = useI18n();
  const rows: [string, string][] = [];
  if (provenance.task) rows.push([t('provTask'), optionLabel(language, 'task', provenance.task)]);
  if (provenance.engine) rows.push([t('provEngine'), `${provenance.engine.id} ${provenance.engine.version}`]);
  if (provenance.model) rows.push([t('provModel'), provenance.model.sha256 ? `${provenance.model.name} (sha256 ${provenance.model.sha256.slice(0, 12)}…)` : provenance.model.name]);
  if (provenance.seed !== undefined && provenance.seed !== null) rows.push([t('provSeed'), String(provenance.seed)]);
  if (provenance.timings) rows.push([t('provTime'), `${new Date(provenance.timings.finishedAt).toLocaleString()} · ${(provenance.timings.durationMs / 1000).toFixed(2)} s`]);
  if (provenance.parents && provenance.parents.length > 0) rows.push([t('provParents'), provenance.parents.join(', ')]);
  return (
    <dl className="provenance" data-testid="artifact-provenance">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd translate={term === t('provTask') ? undefined : 'no'}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
