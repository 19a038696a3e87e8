import { ShenbiError } from '../../core/errors.ts';
import { sniffContainer } from '../../governance/implicit/sniff.ts';
import { sniffImageType } from '../cloud-3d/image-data.ts';
import type { SniffedMedia, TalkingHeadInputs, TalkingHeadMedia } from './types.ts';

/** Audio containers the providers decode, by what the bytes are (not what the caller called them). */
const AUDIO_TYPES: Partial<Record<ReturnType<typeof sniffContainer>, { mimeType: string; extension: string }>> = {
  wav: { mimeType: 'audio/wav', extension: 'wav' },
  mp3: { mimeType: 'audio/mpeg', extension: 'mp3' },
  mp4: { mimeType: 'audio/mp4', extension: 'm4a' },
  ogg: { mimeType: 'audio/ogg', extension: 'ogg' },
  flac: { mimeType: 'audio/flac', extension: 'flac' },
};
const IMAGE_EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

function capped(what: string, bytes: Uint8Array, maxBytes: number): void {
  if (bytes.byteLength === 0) throw new ShenbiError('INVALID_INPUT', `the ${what} is empty (0 bytes)`);
  if (bytes.byteLength > maxBytes) {
    throw new ShenbiError('INVALID_INPUT', `the ${what} is ${bytes.byteLength} bytes; at most ${maxBytes} are sent inline to a talking-head provider`, {
      details: { limitBytes: maxBytes, bytes: bytes.byteLength },
      hint: 'Use a smaller picture (a 1024 px JPEG is plenty) or shorter, compressed audio (MP3).',
    });
  }
}

/** Checks the portrait and audio before any provider call: known types by their bytes, not empty, under the inline cap. */
export function checkedInputs(portrait: TalkingHeadMedia, audio: TalkingHeadMedia, maxBytes: number): TalkingHeadInputs {
  const imageType = sniffImageType(portrait.bytes);
  if (imageType === undefined) throw new ShenbiError('INVALID_INPUT', `the portrait is not a PNG, JPEG or WebP picture (given as ${portrait.mimeType.slice(0, 60)})`);
  capped('portrait', portrait.bytes, maxBytes);
  const audioType = AUDIO_TYPES[sniffContainer(audio.bytes)];
  if (audioType === undefined) throw new ShenbiError('INVALID_INPUT', `the audio is not WAV, MP3, M4A, Ogg or FLAC (given as ${audio.mimeType.slice(0, 60)})`);
  capped('audio', audio.bytes, maxBytes);
  return {
    portrait: { bytes: portrait.bytes, mimeType: imageType, extension: IMAGE_EXTENSIONS[imageType] ?? 'png' },
    audio: { bytes: audio.bytes, ...audioType },
  };
}

/** The file inline, as fal and Replicate accept inputs. */
export function dataUri(media: Pick<SniffedMedia, 'bytes' | 'mimeType'>): string {
  return `data:${media.mimeType};base64,${Buffer.from(media.bytes.buffer, media.bytes.byteOffset, media.bytes.byteLength).toString('base64')}`;
}
