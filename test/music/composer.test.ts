import assert from 'node:assert/strict';
import { test } from 'node:test';
import tonejs from '@tonejs/midi';
import { ShenbiError } from '../../src/core/errors.ts';
import { compose, inKey, parseLyrics, syllabifyEnglish, ticksToSeconds, toMidi } from '../../src/engines/composer/index.ts';

const { Midi } = tonejs;
const ZH = '祝妈妈身体健康\n新年快乐万事如意\n\n[Chorus]\n妈妈我爱你\n岁岁平安';
const EN = 'Happy birthday to my mother\nMay your days be bright and warm\n\n[Chorus]\nWe love you always';

test('MIDI read back by an independent parser: the tracks, one melody note per syllable, every pitched note in key', () => {
  for (const [lyrics, key] of [[ZH, 'G'], [EN, 'Eb'], [ZH, 'Am']] as const) {
    const song = compose({ lyrics, style: { mood: key === 'Am' ? 'melancholy' : 'warm', key }, seed: 3 });
    const midi = new Midi(toMidi(song));
    assert.deepEqual(midi.tracks.filter((t) => t.notes.length > 0).map((t) => t.name), ['Melody', 'Piano', 'Bass', 'Strings', 'Drums']);
    const syllables = parseLyrics(lyrics).reduce((n, l) => n + l.syllables.length, 0);
    const melody = midi.tracks.find((t) => t.name === 'Melody')!;
    assert.equal(melody.notes.length, syllables);
    for (const track of midi.tracks) {
      if (track.channel === 9) continue;
      for (const note of track.notes) assert.ok(inKey(song.key, note.midi), `${track.name} ${note.name} in ${song.key.name}`);
    }
    assert.equal(midi.tracks.find((t) => t.name === 'Drums')!.channel, 9);
    assert.equal(Math.round(midi.header.tempos[0]!.bpm), song.tempo);
    // Melody notes never overlap and stay in a singable range.
    for (let i = 1; i < melody.notes.length; i++) assert.ok(melody.notes[i]!.ticks >= melody.notes[i - 1]!.ticks + melody.notes[i - 1]!.durationTicks);
    const pitches = melody.notes.map((n) => n.midi);
    assert.ok(Math.max(...pitches) - Math.min(...pitches) <= 19, 'within an octave and a half');
  }
});

test('the same seed gives the same MIDI bytes; another seed another melody', () => {
  const a = toMidi(compose({ lyrics: ZH, seed: 42 }));
  const b = toMidi(compose({ lyrics: ZH, seed: 42 }));
  const c = toMidi(compose({ lyrics: ZH, seed: 43 }));
  assert.deepEqual(Buffer.from(a), Buffer.from(b));
  assert.notDeepEqual(Buffer.from(a), Buffer.from(c));
});

test('Mandarin tones steer the melody: falling tones mostly step down, rising ones up', () => {
  let agree = 0;
  let total = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const song = compose({ lyrics: '快乐健康，万事顺利\n年年平安，福气满堂', seed });
    for (let i = 1; i < song.syllables.length; i++) {
      const s = song.syllables[i]!;
      if (s.line !== song.syllables[i - 1]!.line || i === song.syllables.length - 1) continue;
      const move = s.pitch - song.syllables[i - 1]!.pitch;
      if (s.tone === 4 || s.tone === 3) { total++; if (move <= 0) agree++; }
      if (s.tone === 2) { total++; if (move >= 0) agree++; }
    }
  }
  assert.ok(agree / total > 0.7, `${agree}/${total} follow the tone`);
});

test('syllables: Chinese one per character with tones; English by the usual rules', () => {
  const [line] = parseLyrics('祝妈妈健康');
  assert.deepEqual(line!.syllables.map((s) => `${s.text}${s.tone}`), ['祝4', '妈1', '妈5', '健4', '康1']);
  assert.deepEqual(syllabifyEnglish('happy'), ['hap', 'py']);
  assert.deepEqual(syllabifyEnglish('birthday'), ['birth', 'day']);
  assert.deepEqual(syllabifyEnglish('mother'), ['mo', 'ther']);
  assert.deepEqual(syllabifyEnglish('love'), ['love']);
  assert.deepEqual(syllabifyEnglish('beautiful'), ['beau', 'ti', 'ful']);
});

test('lines and syllables carry times the lyric sheet and the voice can use', () => {
  const song = compose({ lyrics: ZH, style: { tempo: 90 }, seed: 5 });
  assert.equal(song.lines.length, 4);
  for (let i = 1; i < song.lines.length; i++) assert.ok(song.lines[i]!.startTick >= song.lines[i - 1]!.endTick);
  const firstLine = song.syllables.filter((s) => s.line === 0);
  assert.equal(firstLine[0]!.startTick, song.lines[0]!.startTick);
  assert.ok(ticksToSeconds(song.lines[0]!.startTick, 90) > 0, 'the intro comes first');
});

test('bad requests: empty or overlong lyrics, impossible tempo, unknown key or mood', () => {
  const code = (fn: () => unknown) => assert.throws(fn, (e: unknown) => e instanceof ShenbiError && e.code === 'INVALID_INPUT');
  code(() => compose({ lyrics: '  \n ' }));
  code(() => compose({ lyrics: '。，！' }));
  code(() => compose({ lyrics: Array.from({ length: 60 }, () => '新年快乐').join('\n') }));
  code(() => compose({ lyrics: '快乐'.repeat(20) }));
  code(() => compose({ lyrics: ZH, style: { tempo: 400 } }));
  code(() => compose({ lyrics: ZH, style: { tempo: 10 } }));
  code(() => compose({ lyrics: ZH, style: { key: 'H#' } }));
  code(() => compose({ lyrics: ZH, style: { mood: 'angry' as never } }));
});
