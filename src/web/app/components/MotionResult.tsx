import { explicitWording, infoFromSummary } from '../api/artifacts.ts';
import type { JobView } from '../api/jobs.ts';
import { useI18n, type MessageKey } from '../i18n.ts';
import { optionLabel } from '../i18n-values.ts';
import { AiBadge } from './AiBadge.tsx';
import { formatBytes } from './ArtifactView.tsx';
import { LazyMotionPlayer } from './LazyMotionPlayer.tsx';
import { MotionTimeline } from './MotionTimeline.tsx';

/** `MotionMetrics` (src/engines/motion/clip.ts) as the page shows it: key, label and unit. */
const METRICS: readonly { key: string; label: MessageKey; unit: string; digits: number }[] = [
  { key: 'footSkateCmPerS', label: 'motionFootSkate', unit: 'cm/s', digits: 2 },
  { key: 'floatCm', label: 'motionFloat', unit: 'cm', digits: 2 },
  { key: 'penetrationCm', label: 'motionPenetration', unit: 'cm', digits: 2 },
  { key: 'jerk', label: 'motionJerk', unit: 'm/s³', digits: 1 },
];

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A finished motion job: the player, the plan's timeline, the plausibility metrics, and every file to download. */
export function MotionResult({ job }: { job: JobView }) {
  const { t, language } = useI18n();
  const outputs = job.outputs ?? {};
  const artifacts = job.artifacts ?? [];
  const motion = artifacts.find((a) => a.id === outputs.motion);
  const plan = artifacts.find((a) => a.id === outputs.plan);
  const metrics = typeof outputs.metrics === 'object' && outputs.metrics !== null ? (outputs.metrics as Record<string, unknown>) : null;
  const duration = num(outputs.duration);
  const source = typeof outputs.source === 'string' ? outputs.source : null;
  return (
    <section className="result model3d-result motion-result" aria-label={t('result')} data-testid="result">
      {motion ? <LazyMotionPlayer url={infoFromSummary(motion).url} mimeType={motion.mimeType} name={motion.name} labelWording={explicitWording(motion.labels)} /> : null}
      {plan || Array.isArray(outputs.timeline) ? <MotionTimeline planId={plan?.id ?? null} timeline={outputs.timeline} /> : null}
      {metrics ? (
        <dl className="provenance model-metrics" data-testid="motion-metrics">
          {duration !== null ? (
            <div>
              <dt>{t('motionDuration')}</dt>
              <dd translate="no">{duration.toFixed(2)} s</dd>
            </div>
          ) : null}
          {METRICS.map(({ key, label, unit, digits }) => {
            const value = num(metrics[key]);
            return value === null ? null : (
              <div key={key} data-metric={key}>
                <dt>{t(label)}</dt>
                <dd translate="no">
                  {value.toFixed(digits)} {unit}
                </dd>
              </div>
            );
          })}
          {source ? (
            <div>
              <dt>{t('model3dSource')}</dt>
              <dd>{optionLabel(language, 'motionSource', source)}</dd>
            </div>
          ) : null}
        </dl>
      ) : null}
      <div className="model-downloads">
        <span className="muted">{t('model3dDownloads')}</span>
        <ul className="plain" data-testid="motion-downloads">
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
