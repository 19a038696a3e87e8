import { infoFromSummary } from '../api/artifacts.ts';
import { artifactIds, type JobView } from '../api/jobs.ts';
import { useI18n } from '../i18n.ts';
import { AiBadge } from './AiBadge.tsx';
import { ArtifactView } from './ArtifactView.tsx';

/** A finished job: its text outputs as text, its artifacts each in the right viewer. */
export function JobResult({ job, textKeys = ['text', 'lyrics', 'answer', 'code'] }: { job: JobView; textKeys?: string[] }) {
  const { t } = useI18n();
  const outputs = job.outputs ?? {};
  const texts = textKeys.map((key) => outputs[key]).filter((v): v is string => typeof v === 'string' && v !== '' && !v.startsWith('art_'));
  const ids = artifactIds(outputs);
  return (
    <section className="result" aria-label={t('result')} data-testid="result">
      {texts.map((text, i) => (
        <div className="result-text" key={i}>
          <p className="generated-text">{text}</p>
          <AiBadge />
        </div>
      ))}
      <div className="artifacts">
        {ids.map((id) => {
          const summary = job.artifacts?.find((a) => a.id === id);
          return summary ? <ArtifactView key={id} id={id} info={infoFromSummary(summary)} /> : <ArtifactView key={id} id={id} />;
        })}
      </div>
    </section>
  );
}
