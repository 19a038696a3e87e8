import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Shenbi } from '../../src/shenbi.ts';

let home: string;
let shenbi: Shenbi;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'shenbi-song-loudness-'));
  shenbi = await Shenbi.open({ overrides: { home } });
});
after(async () => {
  await shenbi.close();
  await rm(home, { recursive: true, force: true });
});

/** ffmpeg's own EBU R128 meter (an independent implementation), over the whole stored file. */
function ffmpegLoudness(path: string): { integrated: number; truePeak: number; channels: number } {
  const log = execFileSync('sh', ['-c', `ffmpeg -nostats -i '${path}' -af ebur128=peak=true -f null - 2>&1`], { encoding: 'utf8' });
  const summary = log.slice(log.lastIndexOf('Summary:'));
  const channels = /Audio: .*?, \d+ Hz, (mono|stereo)/.exec(log)?.[1] === 'stereo' ? 2 : 1;
  return { integrated: Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)![1]), truePeak: Number(/Peak:\s+(-?[\d.]+) dBFS/.exec(summary)![1]), channels };
}

// The stored artifact, audible label mixed in, as the user downloads it.
for (const format of ['wav', 'mp3', 'flac', 'ogg'] as const) {
  test(`a sung song as ${format}: −14 LUFS ± 0.5 and true peak ≤ −1 dBTP by ffmpeg's ebur128`, async () => {
    const spec = { id: 'song-loudness', title: 'song', steps: [{ id: 'song', uses: 'music.song', with: { lyrics: '新年快乐\n万事如意', format, seed: 4 } }], outputs: { audio: { $from: 'song.audio' } } };
    const job = await shenbi.run(spec, {});
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    const path = join(home, `song.${format}`);
    await writeFile(path, (await shenbi.store.artifacts.read(job.outputs!.audio as string)).bytes);
    const measured = ffmpegLoudness(path);
    console.log(`# ${format}: ${measured.integrated} LUFS, ${measured.truePeak} dBTP, ${measured.channels} channels`);
    assert.equal(measured.channels, 2);
    assert.ok(Math.abs(measured.integrated + 14) <= 0.5, `${format}: ${measured.integrated} LUFS`);
    assert.ok(measured.truePeak <= -1, `${format}: true peak ${measured.truePeak} dBTP`);
  });
}
