import { explicitWording, infoFromSummary } from '../api/artifacts.ts';
import type { JobView } from '../api/jobs.ts';
import { useI18n } from '../i18n.ts';
import { optionLabel } from '../i18n-values.ts';
import { AiBadge } from './AiBadge.tsx';
import { ArtifactView, formatBytes } from './ArtifactView.tsx';
import { LazyModelViewer } from './LazyModelViewer.tsx';

/** The parts of `SceneMetrics` (src/engines/scene3d/types.ts) the page shows, read defensively from the job's JSON. */
interface MetricsView {
  triangles: number | null;
  volumeMm3: number | null;
  sizeMm: [number, number, number] | null;
  watertight: boolean | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function readMetrics(value: unknown): MetricsView | null {
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  const box = typeof m.boundingBoxMm === 'object' && m.boundingBoxMm !== null ? (m.boundingBoxMm as Record<string, unknown>) : null;
  const size = Array.isArray(box?.size) && box.size.length === 3 && box.size.every((n) => num(n) !== null) ? (box.size as [number, number, number]) : null;
  return { triangles: num(m.triangles), volumeMm3: num(m.volumeMm3), sizeMm: size, watertight: typeof m.watertight === 'boolean' ? m.watertight : null };
}

/** mm³ as cm³ (1 cm³ = 1 mL), the unit people picture; small parts keep a decimal. */
function volumeText(mm3: number): string {
  const cm3 = mm3 / 1000;
  return `${cm3 >= 100 ? Math.round(cm3).toLocaleString() : cm3.toFixed(1)} cm³`;
}

/** A finished 3D job: the model in the viewer, its size and volume, and every file it made to download. */
export function Model3dResult({ job }: { job: JobView }) {
  const { t, language } = useI18n();
  const outputs = job.outputs ?? {};
  const artifacts = job.artifacts ?? [];
  const model = artifacts.find((a) => a.id === outputs.model);
  const turntable = artifacts.find((a) => a.id === outputs.turntable);
  const metrics = readMetrics(outputs.metrics);
  const source = typeof outputs.source === 'string' ? outputs.source : null;
  return (
    <section className="result model3d-result" aria-label={t('result')} data-testid="result">
      {model ? <LazyModelViewer url={infoFromSummary(model).url} mimeType={model.mimeType} name={model.name} labelWording={explicitWording(model.labels)} /> : null}
      {metrics ? (
        <dl className="provenance model-metrics" data-testid="model-metrics">
          {metrics.sizeMm ? (
            <div>
              <dt>{t('model3dSize')}</dt>
              <dd translate="no">{metrics.sizeMm.map((n) => n.toFixed(0)).join(' × ')} mm</dd>
            </div>
          ) : null}
          {metrics.volumeMm3 !== null ? (
            <div>
              <dt>{t('model3dVolume')}</dt>
              <dd translate="no">{volumeText(metrics.volumeMm3)}</dd>
            </div>
          ) : null}
          {metrics.triangles !== null ? (
            <div>
              <dt>{t('model3dTriangles')}</dt>
              <dd translate="no">{metrics.triangles.toLocaleString()}</dd>
            </div>
          ) : null}
          {metrics.watertight !== null ? (
            <div>
              <dt>{t('model3dWatertight')}</dt>
              <dd>{metrics.watertight ? t('yes') : t('no')}</dd>
            </div>
          ) : null}
          {source ? (
            <div>
              <dt>{t('model3dSource')}</dt>
              <dd>{optionLabel(language, 'model3dSource', source)}</dd>
            </div>
          ) : null}
        </dl>
      ) : null}
      {turntable ? (
        <div className="artifacts">
          <ArtifactView id={turntable.id} info={infoFromSummary(turntable)} />
        </div>
      ) : null}
      <div className="model-downloads">
        <span className="muted">{t('model3dDownloads')}</span>
        <ul className="plain" data-testid="model-downloads">
          {artifacts.map((artifact) => (
            <li key={artifact.id}>
              <a className="button-link" href={infoFromSummary(artifact).url} download={artifact.name ?? artifact.id} translate="no">
                {artifact.name ?? artifact.id}
              </a>{' '}
              <span className="muted" translate="no">
                {artifact.mimeType} · {formatBytes(artifact.size)}
              </span>
            </li>
          ))}
        </ul>
        <AiBadge />
      </div>
    </section>
  );
}
