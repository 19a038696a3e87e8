import type { LabelRecord } from '../../core/artifact.ts';
import type { ArtifactCandidate, GovernanceHook } from '../hook.ts';
import { labelAudio } from './audio.ts';
import { labelImage } from './image.ts';
import { labelGltf } from './model3d.ts';
import { labelStl, labelThreeMf } from './model3d-print.ts';
import { labelBvh } from './motion-bvh.ts';
import { labelUsdz } from './model3d-usdz.ts';
import { containerForMime } from '../implicit/sniff.ts';
import {
  explicitLabelOptionsSchema,
  IMAGE_INK_RATIO,
  VIDEO_INK_RATIO,
  VIDEO_LABEL_SECONDS,
  type ExplicitLabelLogger,
  type ExplicitLabelOptions,
  type ExplicitLabelOptionsInput,
  type SpeakFunction,
} from './options.ts';
import { labelText, type ExplicitResult } from './text.ts';
import { labelVideo } from './video.ts';

export type Modality = 'text' | 'image' | 'audio' | 'video' | 'model3d';

/** Placement of the explicit label of a streamed audio piece whose stream's first piece carries it. */
export const STREAM_START = 'stream-start';

export interface ExplicitLabelHookOptions extends ExplicitLabelOptionsInput {
  /** Text-to-speech for the spoken prompt after the rhythm; without it, the rhythm alone. */
  speak?: SpeakFunction;
  /** Where omissions are logged (default: one JSON line on stderr). */
  logger?: ExplicitLabelLogger;
}

const stderrLogger: ExplicitLabelLogger = {
  warn(message, fields) {
    process.stderr.write(`${JSON.stringify({ level: 'warn', time: new Date().toISOString(), msg: message, ...fields })}\n`);
  },
};

/** 3D printing formats (their MIME aliases resolved by the implicit labels' table). */
const PRINTABLE_MODEL: ReadonlySet<string> = new Set(['stl', '3mf']);
/** Other model containers by MIME type (USDZ for AR). */
const OTHER_MODEL: ReadonlySet<string> = new Set(['usdz']);

/** Which labeler serves an artifact: by MIME type first, the artifact kind second. */
export function modalityOf(candidate: Pick<ArtifactCandidate, 'kind' | 'mimeType'>): Modality | undefined {
  const mime = candidate.mimeType.split(';')[0]!.trim().toLowerCase();
  // MIDI is notes, not sound: nothing to hear until it is rendered (and that render is labeled).
  if (mime === 'audio/midi' || mime === 'audio/x-midi' || candidate.kind === 'midi') return undefined;
  if (mime.startsWith('image/')) return 'image';
  // Motion (BVH) drives 3D figures: it follows the 3D switch and wording.
  if (containerForMime(mime) === 'bvh') return 'model3d';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime === 'video/mp4' || mime === 'video/quicktime') return 'video';
  if (mime.startsWith('model/gltf') || PRINTABLE_MODEL.has(containerForMime(mime)) || OTHER_MODEL.has(containerForMime(mime))) return 'model3d';
  if (mime.startsWith('text/') || mime === 'application/json' || mime.endsWith('+json') || mime === 'application/javascript') return 'text';
  if (candidate.kind === 'text' || candidate.kind === 'code' || candidate.kind === 'json' || candidate.kind === 'subtitle') return 'text';
  return undefined;
}

/**
 * Explicit (perceivable) AIGC labels, on by default for every modality (GB 45438-2025 §5,
 * Measures Art. 4): it runs before the implicit-label and C2PA hooks, which must see the final
 * pixels and samples. Every artifact gets them, edits of user media included: the output is
 * still synthesised. Leaving a label out needs `omit` (a per-tenant setting, Measures Art. 9)
 * or a modality switched off, and each such artifact is logged and recorded as
 * 'aigc-explicit-omitted'.
 */
export function explicitLabelHook(input: ExplicitLabelHookOptions = {}): GovernanceHook {
  const { speak, logger = stderrLogger, ...data } = input;
  const options: ExplicitLabelOptions = explicitLabelOptionsSchema.parse(data);
  return {
    name: 'aigc-explicit',
    async review(candidate) {
      const modality = modalityOf(candidate);
      if (options.omit !== undefined || (modality !== undefined && !options.enabled[modality])) {
        const reason = options.omit?.reason ?? `explicit ${modality} labels switched off in the configuration`;
        const tenant = options.omit?.tenant ?? null;
        const record: LabelRecord = {
          type: 'aigc-explicit-omitted',
          placement: 'none',
          value: { reason, tenant, modality: modality ?? null, artifactId: candidate.id, at: new Date().toISOString() },
        };
        logger.warn('AIGC explicit label omitted', { artifactId: candidate.id, mimeType: candidate.mimeType, tenant, reason });
        return { bytes: candidate.bytes, labels: [record] };
      }
      // A composer that drew the label in its own encode says so; re-encoding to draw it again would double the cost.
      if (modality === 'video' && candidate.explicitLabel?.type === 'aigc-explicit') return { bytes: candidate.bytes, labels: [candidate.explicitLabel] };
      // A later piece of a streamed reply: its stream's first piece starts with the audible label
      // (GB 45438-2025 §5: at the start of the audio), so the sentences after it play without one.
      if (modality === 'audio' && candidate.explicitLabel?.type === 'aigc-explicit' && candidate.explicitLabel.placement === STREAM_START) {
        return { bytes: candidate.bytes, labels: [candidate.explicitLabel] };
      }
      const result = await label(candidate, modality, options, speak);
      return { bytes: result.bytes, labels: [result.record] };
    },
  };
}

function label(candidate: ArtifactCandidate, modality: Modality | undefined, options: ExplicitLabelOptions, speak: SpeakFunction | undefined): Promise<ExplicitResult> | ExplicitResult {
  const { bytes, mimeType } = candidate;
  switch (modality) {
    case 'text':
      return labelText(bytes, mimeType, { wording: options.wording.text, position: options.textPosition });
    case 'image':
      return labelImage(bytes, { wording: options.wording.visual, corner: options.imageCorner, inkRatio: IMAGE_INK_RATIO });
    case 'audio':
      return labelAudio(bytes, mimeType, {
        placement: options.audioPlacement,
        mode: options.audioMode,
        spokenWording: options.wording.spoken,
        spokenLanguage: options.spokenLanguage,
        ...(speak ? { speak } : {}),
        ...(candidate.bytesMovable === true ? { move: true } : {}),
      });
    case 'video':
      return labelVideo(bytes, { wording: options.wording.visual, corner: options.videoCorner, inkRatio: VIDEO_INK_RATIO, seconds: VIDEO_LABEL_SECONDS, persistent: options.videoPersistentMark });
    case 'model3d': {
      const container = containerForMime(mimeType);
      if (container === 'stl') return labelStl(bytes, options.wording.text);
      if (container === 'bvh') return labelBvh(bytes, options.wording.text);
      if (container === '3mf') return labelThreeMf(bytes, options.wording.text);
      if (container === 'usdz') return labelUsdz(bytes, options.wording.text);
      return labelGltf(bytes, mimeType, options.wording.text);
    }
    default:
      // MIDI, motion, documents...: no in-file form yet; the API and studio show the wording beside it.
      return { bytes, record: { type: 'aigc-explicit', placement: 'sidecar', value: { wording: options.wording.text, reason: `no in-file explicit label for ${mimeType}` } } };
  }
}
