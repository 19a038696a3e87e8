import { embedBvh } from './bvh.ts';
import { mediaInvalid, utf8 } from './bytes.ts';
import { embedFlac } from './flac.ts';
import { embedHtml } from './html.ts';
import { embedMp3 } from './id3.ts';
import { embedJpeg } from './jpeg.ts';
import { embedGlb, embedGltf, embedJson } from './json-carriers.ts';
import { embedMarkdown } from './markdown.ts';
import { embedMidi } from './midi.ts';
import { embedMp4 } from './mp4.ts';
import { embedOgg } from './ogg.ts';
import { implicitLabelPayloadSchema, type ImplicitLabelPayload } from './payload.ts';
import { embedPng } from './png.ts';
import { embedStl, isBinaryStl } from './stl.ts';
import { embedThreeMf } from './three-mf.ts';
import { embedUsdz, USDZ_STORE_NOTE } from './usdz.ts';
import { containerForMime } from './sniff.ts';
import { embedAss, embedLrc, embedVtt } from './subtitle-carriers.ts';
import type { Container, EmbeddedLabel, Placement } from './types.ts';
import { embedWav } from './wav.ts';
import { embedWebp } from './webp.ts';
import { parseOrThrow } from '../../core/validation.ts';

/**
 * Writes the implicit label into the file, in the one carrier its container defines
 * (labeling.md §1.5), replacing any earlier AIGC label. Works on the bytes in memory (ffmpeg
 * remuxes go through a temp folder that is always removed), so a failure leaves nothing
 * half-written. MEDIA_INVALID when the bytes are not the declared format.
 */
export async function embedImplicitLabel(bytes: Uint8Array, mimeType: string, label: ImplicitLabelPayload): Promise<EmbeddedLabel> {
  const payload = parseOrThrow(implicitLabelPayloadSchema, label, 'implicit label payload');
  const container = containerForMime(mimeType);
  const done = (out: Uint8Array, placement: Placement): EmbeddedLabel => ({ bytes: out, container, placement, note: null });
  const stored = (note: string): EmbeddedLabel => ({ bytes, container, placement: 'store', note });
  const text = (): string => decodeText(bytes, container);
  switch (container) {
    case 'png':
      return done(embedPng(bytes, payload), 'xmp');
    case 'jpeg':
      return done(embedJpeg(bytes, payload), 'xmp');
    case 'webp':
      return done(embedWebp(bytes, payload), 'xmp');
    case 'mp4':
      return done(await embedMp4(bytes, payload), 'mp4-udta');
    case 'mp3':
      return done(embedMp3(bytes, payload), 'id3-txxx');
    case 'wav':
      return done(embedWav(bytes, payload), 'riff-chunk');
    case 'flac':
      return done(embedFlac(bytes, payload), 'vorbis-comment');
    case 'ogg':
      return done(await embedOgg(bytes, payload), 'vorbis-comment');
    case 'markdown':
      return done(utf8(embedMarkdown(text(), payload)), 'front-matter');
    case 'gltf':
      return done(utf8(embedGltf(text(), payload)), 'gltf-extras');
    case 'glb':
      return done(embedGlb(bytes, payload), 'gltf-extras');
    case '3mf':
      return done(embedThreeMf(bytes, payload), '3mf-metadata');
    case 'usdz': {
      const out = embedUsdz(bytes, payload);
      return out === null ? stored(USDZ_STORE_NOTE) : done(out, 'usdz-layer-data');
    }
    case 'stl': {
      const out = embedStl(bytes, payload);
      const placement = isBinaryStl(bytes) ? 'stl-header' : 'stl-solid-name';
      return { bytes: out, container, placement, note: 'STL holds only a short marker (AIGC Label, ProduceID) in its header or solid name; the full label is in the store and ledger' };
    }
    case 'midi':
      return done(embedMidi(bytes, payload), 'midi-text-event');
    case 'bvh':
      return done(utf8(embedBvh(text(), payload)), 'bvh-end-site');
    case 'vtt':
      return done(utf8(embedVtt(text(), payload)), 'vtt-note');
    case 'ass':
      return done(utf8(embedAss(text(), payload)), 'ass-script-info');
    case 'lrc':
      return done(utf8(embedLrc(text(), payload)), 'lrc-tag');
    case 'json': {
      const out = embedJson(text(), payload);
      return out === null ? stored('a JSON document that is not an object has no place for a member') : done(utf8(out), 'json-member');
    }
    case 'html': {
      const out = embedHtml(text(), payload);
      return out === null ? stored('an HTML document without <head> has no place for a meta element') : done(utf8(out), 'html-meta');
    }
    case 'srt':
      return stored('SRT has no metadata or comment syntax (every block is a cue shown on screen)');
    case 'text':
      return stored('plain text has no metadata slot; any in-band mark would change the text itself');
    case 'unknown':
      return stored(`no implicit-label carrier is known for ${mimeType}`);
  }
}

export function decodeText(bytes: Uint8Array, container: Container): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw mediaInvalid(container, 'it is not UTF-8 text');
  }
}
