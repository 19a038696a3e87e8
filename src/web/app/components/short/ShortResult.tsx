import { infoFromSummary } from '../../api/artifacts.ts';
import type { JobView } from '../../api/jobs.ts';
import { useI18n } from '../../i18n.ts';
import { AiBadge } from '../AiBadge.tsx';
import { OutputDownloads, outputArtifact, type OutputDownload } from '../OutputDownloads.tsx';
import { ResultVideo } from '../ResultVideo.tsx';

/** The downloads a finished short offers, by the `short` pipeline's output names. */
const DOWNLOADS: readonly OutputDownload[] = [
  { output: 'video', label: 'shortDownloadVideo' },
  { output: 'cover', label: 'shortDownloadCover' },
  { output: 'subtitles', label: 'shortDownloadSubtitles' },
  { output: 'script', label: 'shortDownloadScript' },
];

/** A finished short: the video (its cover as the poster), the cover itself, its length and its files. */
export function ShortResult({ job }: { job: JobView }) {
  const { t } = useI18n();
  const outputs = job.outputs ?? {};
  const artifact = (output: string) => outputArtifact(job, output);
  const video = artifact('video');
  const cover = artifact('cover');
  const duration = typeof outputs.duration === 'number' && Number.isFinite(outputs.duration) ? outputs.duration : null;
  return (
    <section className="result short-result" aria-label={t('result')} data-testid="result">
      <div className="short-media">
        {video ? <ResultVideo video={video} duration={duration} poster={cover ? infoFromSummary(cover).url : undefined} testId="short-video" durationTestId="short-duration" /> : null}
        {cover ? (
          <figure className="artifact" data-mime={cover.mimeType}>
            <img src={infoFromSummary(cover).url} alt={t('shortCover')} data-artifact={cover.id} data-testid="short-cover" />
            <figcaption>
              <AiBadge />
              <span className="artifact-meta">{t('shortCover')}</span>
            </figcaption>
          </figure>
        ) : null}
      </div>
      <OutputDownloads job={job} downloads={DOWNLOADS} className="short-downloads" testId="short-downloads" />
    </section>
  );
}
