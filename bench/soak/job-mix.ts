import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SoakHttp } from './http.ts';
import type { SoakRecorder } from './recorder.ts';
import { TESTDATA, type TenantKey } from './server-process.ts';

/** One kind of job the soak submits: its POST /api/jobs body, made fresh for job `n` (inputs vary, so the step cache does not answer). */
export interface JobKind {
  name: string;
  /** undefined: a preparatory request failed (already recorded); the slot moves on. */
  body(n: number, key: TenantKey): Promise<Record<string, unknown> | undefined>;
}

const SENTENCES = [
  'The quick brown fox jumps over the lazy dog.',
  'Soak tests keep a server busy for a long time and watch what drifts.',
  'Every job ends with a result or an error, and every stream with it.',
  'Latency of the model list should not depend on how busy the workers are.',
];
const LYRICS = ['Twinkle twinkle little star\nHow I wonder what you are', 'Morning light on the river\nCarry me home again', '月亮照在小河上\n风儿轻轻唱'];
const ARTICLES = [
  'Cats sleep a lot. They like warm places and quiet rooms.',
  'Rivers carve valleys over thousands of years. Water is patient.',
  'Bread needs flour, water, salt and time. The oven does the rest.',
];

/** Uploads `bytes` as the tenant's own file; returns its upl_… id. */
export async function upload(http: SoakHttp, recorder: SoakRecorder, key: TenantKey, bytes: Buffer, mediaType: string, name: string): Promise<string | undefined> {
  const result = await http.call('POST /api/uploads', key, `/api/uploads?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'content-type': mediaType }, body: bytes }, [201]);
  if (result?.status !== 201) return undefined;
  recorder.counts.uploads.count++;
  recorder.counts.uploads.bytes += bytes.length;
  const id = (result.body as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string' || !id.startsWith('upl_')) {
    recorder.error('POST /api/uploads', `no upl_ id in ${result.text.slice(0, 200)}`);
    return undefined;
  }
  return id;
}

export const PNG = readFileSync(join(TESTDATA, 'portrait-astronaut.png'));
export const WAV = readFileSync(join(TESTDATA, 'jfk.wav'));

/**
 * The rotation job slots draw from: speech twice as often as the heavier kinds. Every kind
 * runs offline on this machine in seconds when idle: eSpeak speech, a sung song (composer,
 * soundfont, PSOLA, loudness), a two-scene narrated video (text model, speech, ffmpeg), a
 * thumbnail of an uploaded picture (sharp) and the blessing card.
 */
export function jobMix(http: SoakHttp, recorder: SoakRecorder): JobKind[] {
  const speech: JobKind = { name: 'speech', body: async (n) => ({ task: 'speech', input: { text: `${SENTENCES[n % SENTENCES.length]} Number ${n}.` } }) };
  const song: JobKind = { name: 'song', body: async (n) => ({ pipeline: 'song', input: { lyrics: LYRICS[n % LYRICS.length], seed: n } }) };
  const video: JobKind = { name: 'video', body: async (n) => ({ pipeline: 'article-to-video', input: { article: ARTICLES[n % ARTICLES.length], scenes: 2, seed: n } }) };
  const card: JobKind = { name: 'card', body: async (n) => ({ pipeline: 'blessing-card', input: { recipient: `Friend ${n}`, seed: n } }) };
  const thumbnail: JobKind = {
    name: 'image-upload',
    body: async (n, key) => {
      const id = await upload(http, recorder, key, PNG, 'image/png', `astronaut-${n}.png`);
      return id === undefined ? undefined : { task: 'image', input: { operation: 'thumbnail', image: id, width: 160 + 8 * (n % 25) } };
    },
  };
  return [speech, song, thumbnail, speech, video, card];
}
