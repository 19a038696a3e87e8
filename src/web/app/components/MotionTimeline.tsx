import { useEffect, useState } from 'react';
import { fetchText } from '../api/artifacts.ts';
import { useI18n } from '../i18n.ts';
import { optionLabel } from '../i18n-values.ts';
import { readTimeline } from './motion-timeline.ts';

/**
 * The action plan as a timeline: full-body actions on the first row, upper-body layers on the
 * second, each bar from its start to start + duration. `timeline` is the job's resolved
 * timeline when it reports one; the plan artifact gives the words (and the times, if it has them).
 */
export function MotionTimeline({ planId, timeline }: { planId: string | null; timeline: unknown }) {
  const { t, language } = useI18n();
  const [plan, setPlan] = useState<unknown>(planId === null ? null : undefined);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    if (planId === null) return;
    let live = true;
    fetchText(planId).then(
      (text) => live && setPlan(JSON.parse(text) as unknown),
      (error: unknown) => live && setFailed(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      live = false;
    };
  }, [planId]);

  if (failed) return <p className="muted" translate="no">{failed}</p>;
  if (plan === undefined) return <div className="motion-timeline" aria-busy="true" />;
  const { bars, timed } = readTimeline(Array.isArray(timeline) ? { plan, timeline } : plan);
  if (bars.length === 0) return null;
  const total = Math.max(0.001, ...bars.map((bar) => bar.start + bar.duration));
  const rows = (['full', 'upper'] as const).filter((layer) => layer === 'full' || bars.some((bar) => bar.layer === layer));
  const span = (start: number, duration: number) => (timed ? `${start.toFixed(1)}–${(start + duration).toFixed(1)} s` : '');
  return (
    <div className="motion-timeline" data-testid="motion-timeline" data-timed={timed ? 'true' : 'false'}>
      <span className="muted">{timed ? t('motionPlan') : `${t('motionPlan')} · ${t('motionPlanUntimed')}`}</span>
      {rows.map((layer) => (
        <div key={layer} className="motion-timeline-row" data-layer={layer}>
          <span className="motion-timeline-layer">{layer === 'full' ? t('motionLayerFull') : t('motionLayerUpper')}</span>
          <ol className="plain motion-timeline-track">
            {bars
              .filter((bar) => bar.layer === layer)
              .map((bar, i) => (
                <li
                  key={i}
                  className="motion-bar"
                  data-action={bar.action}
                  data-start={bar.start.toFixed(2)}
                  data-duration={bar.duration.toFixed(2)}
                  title={[optionLabel(language, 'motionAction', bar.action), span(bar.start, bar.duration), bar.text ?? ''].filter((part) => part !== '').join(' · ')}
                  style={{ left: `${(bar.start / total) * 100}%`, width: `${(bar.duration / total) * 100}%` }}
                >
                  {optionLabel(language, 'motionAction', bar.action)}
                </li>
              ))}
          </ol>
        </div>
      ))}
      {timed ? (
        <div className="motion-timeline-axis muted" translate="no">
          <span>0 s</span>
          <span>{total.toFixed(1)} s</span>
        </div>
      ) : null}
    </div>
  );
}
