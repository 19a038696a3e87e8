import { infoFromSummary } from '../api/artifacts.ts';
import type { ArtifactSummary } from '../api/jobs.ts';
import { AiBadge } from './AiBadge.tsx';

/** A finished job's video as a result panel shows it: the player (with a poster if given), the AI badge and its length. */
export function ResultVideo({ video, duration, poster, testId, durationTestId }: { video: ArtifactSummary; duration: number | null; poster?: string | undefined; testId: string; durationTestId: string }) {
  return (
    <figure className="artifact" data-mime={video.mimeType}>
      <video controls preload="metadata" playsInline src={infoFromSummary(video).url} poster={poster} data-artifact={video.id} data-testid={testId} />
      <figcaption>
        <AiBadge />
        {duration !== null ? (
          <span className="artifact-meta" translate="no" data-testid={durationTestId}>
            <span>{duration.toFixed(1)} s</span>
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
}
