import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { isShenbiError } from '../../src/core/errors.ts';
import { analyzePortrait } from '../../src/engines/talking-head/face/index.ts';
import { FACE_PARTS } from '../../src/engines/talking-head/face/face-parts.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { TESTDATA } from '../helpers/testdata.ts';
import { audioEnvelope, bestLag, decodeAudio, decodeLumaFrames, mouthOpening, type Box } from './lip-sync-measures.ts';

/**
 * The AI news anchor: a narrated video with a talking presenter in the corner
 * (video.narrated's `presenter`, article-to-video's option). Checked from the output alone:
 * a face detector finds the presenter in the corner, and its mouth follows the narration.
 */

const PORTRAIT = join(TESTDATA, 'portrait-astronaut.png');
const CONSENT = { subject: 'Eileen Collins (NASA portrait)', basis: 'public-domain' } as const;
const script = {
  title: 'Evening news',
  scenes: [
    { narration: 'Good evening. Here is the news from the station, where the crew had a busy day.', caption: 'Evening news' },
    { narration: 'Tonight the sky is clear, and the station passes overhead at nine.', caption: 'Look up' },
  ],
};
const narrated = (presenter: Record<string, unknown>) => ({
  id: 'anchor',
  title: 'anchor',
  steps: [{ id: 'video', uses: 'video.narrated', with: { script, resolution: '720p', aspect: '16:9', ...presenter } }],
  outputs: { video: { $from: 'video.video' } },
});

let home: string;
let shenbi: Shenbi;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'shenbi-presenter-'));
  shenbi = await Shenbi.open({ overrides: { home, mediaRoots: [TESTDATA, home] } });
});

after(async () => {
  await shenbi?.close();
  await rm(home, { recursive: true, force: true });
});

test('a narrated video with a presenter: the face is found in the lower-right corner and its lips follow the narration', async () => {
  const job = await shenbi.run(narrated({ presenter: PORTRAIT, consent: CONSENT }), {});
  assert.equal(job.status, 'completed', JSON.stringify(job.error));
  const path = join(home, 'anchor.mp4');
  await writeFile(path, (await shenbi.store.artifacts.read(job.outputs!.video as string)).bytes);
  const [width, height] = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path]).toString().trim().split(',').map(Number);
  assert.deepEqual([width, height], [1280, 720]);

  // The presenter's square: 34 % of the short side, 3 % margins, lower right.
  const size = Math.round((720 * 0.34) / 2) * 2;
  const margin = Math.round(720 * 0.03);
  const pip: Box = { x: 1280 - size - margin, y: 720 - size - margin, width: size, height: size };
  const frames = decodeLumaFrames(path, 1280, 720);
  const crop = (frame: Uint8Array) => {
    const out = new Uint8Array(size * size);
    for (let y = 0; y < size; y++) out.set(frame.subarray((pip.y + y) * 1280 + pip.x, (pip.y + y) * 1280 + pip.x + size), y * size);
    return out;
  };
  const still = await sharp(Buffer.from(crop(frames[75]!)), { raw: { width: size, height: size, channels: 1 } }).png().toBuffer();
  const found = await analyzePortrait(still);
  assert.equal(found.faceCount, 1, 'a face in the corner');

  const lips = [...FACE_PARTS.lipsUpperInner, ...FACE_PARTS.lipsLowerInner].map((i) => found.face.points[i]!);
  const xs = lips.map((p) => p[0]);
  const ys = lips.map((p) => p[1]);
  const mouthWidth = Math.max(...xs) - Math.min(...xs);
  const mouth: Box = { x: Math.min(...xs) + mouthWidth * 0.15, y: Math.min(...ys) - 1, width: mouthWidth * 0.7, height: Math.max(...ys) - Math.min(...ys) + mouthWidth * 0.35 };
  const opening = mouthOpening(frames.map(crop), size, mouth);
  const envelope = audioEnvelope(decodeAudio(path), 16_000, 25, frames.length);
  const sync = bestLag(envelope, opening, 8, 25);
  console.log(`# presenter: lip-sync lag ${sync.lag} frames, r = ${sync.correlation.toFixed(2)}`);
  assert.ok(Math.abs(sync.lag) <= 1 && sync.correlation > 0.3, `lag ${sync.lag} frames, r = ${sync.correlation.toFixed(2)}`);
});

test('a real presenter without consent is refused before the job exists', async () => {
  const before = (await shenbi.store.jobs.list()).length;
  await assert.rejects(
    shenbi.runner.submit(narrated({ presenter: PORTRAIT }), {}),
    (error: unknown) => isShenbiError(error) && error.code === 'GOVERNANCE_REFUSED' && (error.details as { reason?: string }).reason === 'consent.missing',
  );
  assert.equal((await shenbi.store.jobs.list()).length, before);
});
