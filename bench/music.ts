/**
 * Music benchmark, one run:
 *   1. Rendering a 60 s four-track arrangement (piano, bass, strings, drums) with Shenbi's
 *      renderer (spessasynth_core) vs Debian's `fluidsynth` CLI, same MIDI, same SoundFont,
 *      same sample rate. Target: ≤ 2× fluidsynth's time.
 *   2. The whole blessing-song pipeline after the lyrics (compose, render, sing, mix, master,
 *      encode MP3). Target: ≤ 10 s on 2 cores, as 天音 promises.
 * Needs `apt-get install fluidsynth` for the first table row. Run: npm run bench:music
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose, ticksToSeconds, toMidi } from '../src/engines/composer/index.ts';
import { createEspeakEngine } from '../src/engines/espeak/index.ts';
import { makeSong } from '../src/engines/singer/song.ts';
import { defaultSoundFontPath, loadSoundFont, renderMidiInThread } from '../src/engines/soundfont/render-midi.ts';
import { encodeAudio } from '../src/media/audio/encode.ts';

const RUNS = Number(process.env.RUNS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dir = mkdtempSync(join(tmpdir(), 'shenbi-bench-music-'));

// A 60-second arrangement: enough lyric lines at a fixed tempo, then drop the melody track.
const lines = Array.from({ length: 14 }, (_, i) => ['新年快乐万事如意', '身体健康岁岁平安'][i % 2]).join('\n');
const song = compose({ lyrics: lines, style: { mood: 'festive', tempo: 120 }, seed: 1, introBars: 1, outroBars: 1 });
const fourTrack = { ...song, tracks: song.tracks.filter((t) => t.name !== 'Melody') };
const midiPath = join(dir, 'arrangement.mid');
writeFileSync(midiPath, toMidi(fourTrack));
const seconds = ticksToSeconds(song.totalTicks, song.tempo);
const soundFont = join(dir, 'FluidR3Mono_GM.sf3');
copyFileSync(defaultSoundFontPath(), soundFont);

await loadSoundFont(soundFont); // parse once, as a running server's worker threads would have it
const ours: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  await renderMidiInThread(toMidi(fourTrack), { soundFontPath: soundFont, sampleRate: 44_100, tailSeconds: 1 });
  ours.push(performance.now() - t);
}

const hasFluidsynth = spawnSync('fluidsynth', ['--version']).status === 0;
const theirs: number[] = [];
if (hasFluidsynth) {
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    execFileSync('fluidsynth', ['-ni', '-q', '-r', '44100', '-F', join(dir, 'fluid.wav'), soundFont, midiPath], { stdio: 'ignore' });
    theirs.push(performance.now() - t);
  }
}

const espeak = createEspeakEngine();
const voices = {
  syllable: async (text: string) => (await espeak.synthesize({ text, intonation: 0 })).audio,
  line: async (text: string) => (await espeak.synthesize({ text })).audio,
};
const lyrics = '[Verse]\n祝妈妈身体健康\n愿您笑口常开\n岁岁平安如意\n福寿绵长安康\n\n[Chorus]\n妈妈我爱您\n新年快乐';
await makeSong({ lyrics, seed: 9 }, voices); // warm: runner process started, SoundFont parsed
const pipeline: number[] = [];
let songSeconds = 0;
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  const made = await makeSong({ lyrics, seed: 10 + i }, voices);
  await encodeAudio(made.audio, 'mp3', { channels: 2 });
  pipeline.push(performance.now() - t);
  songSeconds = made.audio.samples.length / made.audio.sampleRate;
}
await espeak.close();
rmSync(dir, { recursive: true, force: true });

const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`median of ${RUNS}; arrangement ${seconds.toFixed(1)} s, 4 tracks, FluidR3Mono SF3, 44.1 kHz\n`);
console.log('| measure | Shenbi | reference | ratio | target |');
console.log('|---|---|---|---|---|');
if (hasFluidsynth) console.log(`| render 60 s arrangement: spessasynth_core vs fluidsynth CLI | ${f(median(ours))} | ${f(median(theirs))} | ${(median(ours) / median(theirs)).toFixed(2)}× | ≤ 2× |`);
else console.log(`| render 60 s arrangement (fluidsynth not installed: apt-get install fluidsynth) | ${f(median(ours))} | – | – | ≤ 2× |`);
console.log(`| blessing song after lyrics (${songSeconds.toFixed(0)} s song, sung, MP3) | ${f(median(pipeline))} | 10 s budget | ${(median(pipeline) / 10_000).toFixed(2)} | ≤ 1 |`);
