import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import tonejs from '@tonejs/midi';
import { ShenbiError } from '../../src/core/errors.ts';
import { ticksToSeconds } from '../../src/engines/composer/index.ts';
import { createEspeakEngine } from '../../src/engines/espeak/index.ts';
import { estimateF0 } from '../../src/engines/singer/psola.ts';
import { makeSong, type SongVoices } from '../../src/engines/singer/song.ts';
import { renderMidi } from '../../src/engines/soundfont/render-midi.ts';
import { integratedLoudness, truePeakDb } from '../../src/media/audio/loudness.ts';
import { peakOf, rmsOf, toDb } from '../../src/media/audio/pcm.ts';
import { encodeWav } from '../../src/media/audio/wav.ts';
import { parseLrc } from '../../src/media/subtitles/index.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const { Midi } = tonejs;
const espeak = createEspeakEngine();
const dir = mkdtempSync(join(tmpdir(), 'shenbi-song-'));
after(async () => {
  await espeak.close();
  rmSync(dir, { recursive: true, force: true });
});
const voices: SongVoices = {
  syllable: async (text, signal) => (await espeak.synthesize({ text, intonation: 0, ...(signal ? { signal } : {}) })).audio,
  line: async (text, signal) => (await espeak.synthesize({ text, ...(signal ? { signal } : {}) })).audio,
};
const LYRICS = '祝妈妈身体健康\n新年快乐万事如意\n\n[Chorus]\n妈妈我爱你\n岁岁平安';

/** ffmpeg's own EBU R128 measurement, independent of ours. */
function ffmpegLoudness(path: string): { integrated: number; truePeak: number } {
  // ebur128 prints to stderr; `-v info` plus a shell redirect keeps it simple to read.
  const log = execFileSync('sh', ['-c', `ffmpeg -nostats -i '${path}' -af ebur128=peak=true -f null - 2>&1`], { encoding: 'utf8' });
  const summary = log.slice(log.lastIndexOf('Summary:'));
  return { integrated: Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)![1]), truePeak: Number(/Peak:\s+(-?[\d.]+) dBFS/.exec(summary)![1]) };
}

test('a sung song: expected length, not silent, −14 LUFS within 1 LU and peak ≤ −1 dBFS (checked by ffmpeg)', async () => {
  const song = await makeSong({ lyrics: LYRICS, seed: 3 }, voices);
  const seconds = song.audio.samples.length / song.audio.sampleRate;
  const expected = ticksToSeconds(song.composition.totalTicks, song.composition.tempo);
  assert.ok(seconds >= expected && seconds <= expected + 3, `${seconds} s for a ${expected} s arrangement`);
  assert.ok(toDb(rmsOf(song.audio.samples)) > -30, 'not silent');
  assert.ok(Math.abs(integratedLoudness(song.audio) + 14) <= 1);
  assert.ok(truePeakDb(song.audio) <= -1 + 0.05);
  assert.ok(toDb(peakOf(song.audio.samples)) <= -1 + 1e-6);
  const path = join(dir, 'song.wav');
  writeFileSync(path, encodeWav(song.audio));
  const measured = ffmpegLoudness(path);
  assert.ok(Math.abs(measured.integrated + 14) <= 1, `ffmpeg: ${measured.integrated} LUFS`);
  assert.ok(measured.truePeak <= -0.9, `ffmpeg true peak ${measured.truePeak} dBFS`);
});

test('the LRC lyric sheet times each syllable at its melody note onset', async () => {
  const song = await makeSong({ lyrics: LYRICS, seed: 5, vocals: 'none' }, voices);
  const lrc = parseLrc(song.lyricSheet);
  const melody = new Midi(song.midi).tracks.find((t) => t.name === 'Melody')!;
  const words = lrc.lines.flatMap((l) => l.words ?? []);
  assert.equal(words.length, melody.notes.length);
  words.forEach((w, i) => assert.ok(Math.abs(w.start - melody.notes[i]!.time) <= 0.011, `${w.text} at ${w.start} vs note at ${melody.notes[i]!.time}`));
  assert.deepEqual(lrc.lines.map((l) => l.text), ['祝妈妈身体健康', '新年快乐万事如意', '妈妈我爱你', '岁岁平安']);
});

test('the vocal is sung on the melody: the pitch heard at a syllable is its note', async () => {
  const song = await makeSong({ lyrics: '啊啊啊啊啊啊\n妈妈妈妈', seed: 2, style: { mood: 'gentle' } }, voices);
  const { singMelody } = await import('../../src/engines/singer/sing.ts');
  const vocal = await singMelody(song.composition, voices.syllable, { sampleRate: 44_100 });
  let onPitch = 0;
  for (const s of song.composition.syllables) {
    const from = Math.round(ticksToSeconds(s.startTick, song.composition.tempo) * 44_100);
    const to = from + Math.round(ticksToSeconds(s.durationTicks, song.composition.tempo) * 44_100 * 0.9);
    const f0 = estimateF0(vocal.samples.subarray(from, to), 44_100);
    const target = 440 * 2 ** ((s.pitch - 69) / 12);
    if (f0 !== undefined && Math.abs(12 * Math.log2(f0 / target)) < 0.6) onPitch++;
  }
  assert.ok(onPitch >= song.composition.syllables.length * 0.8, `${onPitch}/${song.composition.syllables.length} syllables on their note`);
});

test('SoundFont rendering of the testdata MIDI; a missing SoundFont or broken MIDI is a clear error', async () => {
  const midi = readFileSync(join(TESTDATA, 'sf_spec_test.mid'));
  const stereo = await renderMidi(midi, { soundFontPath: join(TESTDATA, 'sf_spec_test.sf2'), tailSeconds: 1 });
  assert.ok(stereo.left.length > stereo.sampleRate, 'at least a second');
  assert.ok(toDb(rmsOf(stereo.left)) > -60, 'not silent');
  await assert.rejects(renderMidi(midi, { soundFontPath: join(dir, 'nope.sf2') }), (e: unknown) => e instanceof ShenbiError && e.code === 'MODEL_NOT_INSTALLED');
  writeFileSync(join(dir, 'bad.sf2'), 'not a soundfont');
  await assert.rejects(renderMidi(midi, { soundFontPath: join(dir, 'bad.sf2') }), (e: unknown) => e instanceof ShenbiError && e.code === 'MEDIA_INVALID');
  await assert.rejects(renderMidi(new Uint8Array([1, 2, 3])), (e: unknown) => e instanceof ShenbiError && e.code === 'MEDIA_INVALID');
});
