import { readBvh } from './bvh.ts';
import { decodeText } from './embed.ts';
import { readFlac } from './flac.ts';
import { readHtml } from './html.ts';
import { readMp3 } from './id3.ts';
import { readJpeg } from './jpeg.ts';
import { readGlb, readGltf, readJson } from './json-carriers.ts';
import { readMarkdown } from './markdown.ts';
import { readMidi } from './midi.ts';
import { readMp4 } from './mp4.ts';
import { readOgg } from './ogg.ts';
import { readPng } from './png.ts';
import { readStl } from './stl.ts';
import { readThreeMf } from './three-mf.ts';
import { readUsdzLabels } from './usdz.ts';
import { containerForMime, sniffContainer } from './sniff.ts';
import { readAss, readLrc, readVtt } from './subtitle-carriers.ts';
import { NO_FINDINGS, type Container, type ImplicitLabelReport, type RawFindings } from './types.ts';
import { inspectAigc } from './validate.ts';
import { readWav } from './wav.ts';
import { readWebp } from './webp.ts';

function findingsFor(bytes: Uint8Array, container: Container): RawFindings {
  const text = (): string => decodeText(bytes, container);
  switch (container) {
    case 'png':
      return readPng(bytes);
    case 'jpeg':
      return readJpeg(bytes);
    case 'webp':
      return readWebp(bytes);
    case 'mp4':
      return readMp4(bytes);
    case 'mp3':
      return readMp3(bytes);
    case 'wav':
      return readWav(bytes);
    case 'flac':
      return readFlac(bytes);
    case 'ogg':
      return readOgg(bytes);
    case 'markdown':
      return readMarkdown(text());
    case 'json':
      return readJson(text());
    case 'gltf':
      return readGltf(text());
    case 'glb':
      return readGlb(bytes);
    case '3mf':
      return readThreeMf(bytes);
    case 'usdz':
      return readUsdzLabels(bytes);
    case 'stl':
      return readStl(bytes);
    case 'midi':
      return readMidi(bytes);
    case 'bvh':
      return readBvh(text());
    case 'vtt':
      return readVtt(text());
    case 'ass':
      return readAss(text());
    case 'lrc':
      return readLrc(text());
    case 'html':
      return readHtml(text());
    case 'srt':
    case 'text':
    case 'unknown':
      return NO_FINDINGS;
  }
}

/**
 * Finds every AIGC implicit label in a file and checks it (Annex E: seven keys in order,
 * string values in the allowed charset, Label 1/2/3), with the IPTC source type and Shenbi's
 * reproduction record when present. The container comes from the MIME type when it names a
 * known one, otherwise from the bytes. MEDIA_INVALID when the bytes are not that container.
 */
export function readImplicitLabels(bytes: Uint8Array, mimeType?: string): ImplicitLabelReport {
  const declared = mimeType === undefined ? 'unknown' : containerForMime(mimeType);
  const container = declared === 'unknown' ? sniffContainer(bytes) : declared;
  const raw = findingsFor(bytes, container);
  const labels = raw.aigc.map(inspectAigc);
  const problems: string[] = [];
  const marker = raw.marker ?? null;
  const storeOnly = raw.storeOnly ?? null;
  if (labels.length === 0 && storeOnly !== null) problems.push(storeOnly);
  else if (labels.length === 0 && marker !== null) problems.push(`${container} holds only a short AIGC marker (${marker.text}); the full label is in the producer's store and ledger`);
  else if (labels.length === 0) problems.push(`no AIGC implicit label found in this ${container} file`);
  if (labels.length > 1) problems.push(`${labels.length} AIGC labels found; a file must carry exactly one`);
  for (const label of labels) problems.push(...label.problems.map((p) => `${label.placement}: ${p}`));
  return {
    container,
    labels,
    digitalSourceType: raw.digitalSourceType,
    reproduction: raw.reproduction,
    marker,
    storeOnly,
    valid: problems.length === 0,
    problems,
  };
}
