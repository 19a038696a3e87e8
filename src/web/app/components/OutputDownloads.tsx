import { infoFromSummary } from '../api/artifacts.ts';
import type { ArtifactSummary, JobView } from '../api/jobs.ts';
import { useI18n, type MessageKey } from '../i18n.ts';
import { formatBytes } from './ArtifactView.tsx';

/** One download a finished job offers: its pipeline output name and the link's label. */
export interface OutputDownload {
  readonly output: string;
  readonly label: MessageKey;
}

/** The artifact a job's output names, if the job has it. */
export function outputArtifact(job: JobView, output: string): ArtifactSummary | undefined {
  return job.artifacts?.find((a) => a.id === job.outputs?.[output]);
}

/** A job's files as download links with their names and sizes; outputs the job did not make are left out. */
export function OutputDownloads({ job, downloads, className, testId }: { job: JobView; downloads: readonly OutputDownload[]; className: string; testId: string }) {
  const { t } = useI18n();
  return (
    <ul className={`plain ${className}`} data-testid={testId}>
      {downloads.map(({ output, label }) => {
        const file = outputArtifact(job, output);
        if (!file) return null;
        return (
          <li key={output} data-output={output}>
            <a className="button-link" href={infoFromSummary(file).url} download={file.name ?? file.id}>
              {t(label)}
            </a>{' '}
            <span className="muted" translate="no">
              {file.name ?? file.id} · {formatBytes(file.size)}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
