import type { JobView } from '../api/jobs.ts';
import { useI18n } from '../i18n.ts';
import { OutputDownloads, outputArtifact, type OutputDownload } from './OutputDownloads.tsx';
import { ResultVideo } from './ResultVideo.tsx';

/** The downloads a talking-head job offers, by output name (the `talking-head` pipeline's outputs). */
const DOWNLOADS: readonly OutputDownload[] = [
  { output: 'video', label: 'dhDownloadVideo' },
  { output: 'audio', label: 'dhDownloadAudio' },
  { output: 'timings', label: 'dhDownloadTimings' },
];

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Warnings as the step reports them: a list of sentences, or one (read defensively from the job's JSON). */
function warningsOf(value: unknown): string[] {
  if (typeof value === 'string' && value !== '') return [value];
  if (Array.isArray(value)) return value.filter((w): w is string => typeof w === 'string' && w !== '');
  return [];
}

/** A finished digital-human job: the presenter video, its length, what the server warned about, and its files. */
export function TalkingHeadResult({ job }: { job: JobView }) {
  const { t } = useI18n();
  const outputs = job.outputs ?? {};
  const artifact = (output: string) => outputArtifact(job, output);
  const video = artifact('video');
  const duration = num(outputs.duration);
  const warnings = warningsOf(outputs.warnings);
  return (
    <section className="result talking-head-result" aria-label={t('result')} data-testid="result">
      {video ? <ResultVideo video={video} duration={duration} testId="talking-head-video" durationTestId="talking-head-duration" /> : null}
      {warnings.length > 0 ? (
        <ul className="plain muted" data-testid="talking-head-warnings" aria-label={t('dhWarnings')}>
          {warnings.map((warning, i) => (
            // The server's own words (English): kept as detail, not translated.
            <li key={i} lang="en">
              {warning}
            </li>
          ))}
        </ul>
      ) : null}
      <OutputDownloads job={job} downloads={DOWNLOADS} className="talking-head-downloads" testId="talking-head-downloads" />
    </section>
  );
}
