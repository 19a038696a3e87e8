import type { PipelineSpecInput } from '../../core/pipeline.ts';

/** Like NetEase 天音: who it is for and the wish → lyrics, melody, arrangement, sung vocal, mix, lyric sheet and MIDI. */
export const blessingSongPipeline: PipelineSpecInput = {
  id: 'blessing-song',
  title: 'Blessing song',
  description: 'Writes lyrics for someone and a wish, then composes, arranges, sings and masters the song.',
  inputs: {
    recipient: { type: 'string', default: '妈妈', description: 'Who it is for.' },
    wish: { type: 'string', default: '身体健康，新年快乐', description: 'What to wish them.' },
    mood: { type: 'string', default: 'warm', description: 'warm, festive, lyrical, gentle, energetic, melancholy.' },
    genre: { type: 'string', default: 'pop', description: 'pop, ballad, folk, waltz, chinese.' },
    language: { type: 'string', default: 'auto', description: 'zh, en or auto (from the recipient and wish).' },
    vocals: { type: 'string', default: 'sung', description: 'sung, spoken or none.' },
    format: { type: 'string', default: 'mp3', description: 'wav, mp3, ogg or flac.' },
    seed: { type: 'integer', default: 1, description: 'Same seed, same song.' },
    model: { type: 'string', optional: true, description: 'Text model for the lyrics (default: defaultTextModel).' },
  },
  steps: [
    {
      id: 'lyrics',
      uses: 'music.lyrics',
      with: { recipient: { $from: 'inputs.recipient' }, wish: { $from: 'inputs.wish' }, mood: { $from: 'inputs.mood' }, language: { $from: 'inputs.language' }, seed: { $from: 'inputs.seed' }, model: { $from: 'inputs.model' } },
    },
    {
      id: 'song',
      uses: 'music.song',
      with: {
        lyrics: { $from: 'lyrics.lyrics' },
        title: { $from: 'lyrics.title' },
        mood: { $from: 'inputs.mood' },
        genre: { $from: 'inputs.genre' },
        vocals: { $from: 'inputs.vocals' },
        format: { $from: 'inputs.format' },
        seed: { $from: 'inputs.seed' },
      },
    },
  ],
  outputs: {
    song: { $from: 'song.audio' },
    lyricSheet: { $from: 'song.lyricSheet' },
    midi: { $from: 'song.midi' },
    lyrics: { $from: 'lyrics.lyrics' },
    duration: { $from: 'song.duration' },
  },
};

/** "My lyrics in, song out." */
export const songFromLyricsPipeline: PipelineSpecInput = {
  id: 'song',
  title: 'Song from lyrics',
  description: 'Your lyrics, composed, arranged, sung and mastered.',
  inputs: {
    lyrics: { type: 'string', description: 'One line per phrase (newlines, | or / break lines); blank lines or [Verse]/[Chorus] tags start sections.' },
    title: { type: 'string', optional: true },
    mood: { type: 'string', default: 'warm' },
    genre: { type: 'string', default: 'pop' },
    instrument: { type: 'string', default: 'piano' },
    key: { type: 'string', optional: true },
    tempo: { type: 'number', optional: true },
    vocals: { type: 'string', default: 'sung' },
    format: { type: 'string', default: 'mp3' },
    seed: { type: 'integer', default: 1 },
  },
  steps: [
    {
      id: 'song',
      uses: 'music.song',
      with: {
        lyrics: { $from: 'inputs.lyrics' },
        title: { $from: 'inputs.title' },
        mood: { $from: 'inputs.mood' },
        genre: { $from: 'inputs.genre' },
        instrument: { $from: 'inputs.instrument' },
        key: { $from: 'inputs.key' },
        tempo: { $from: 'inputs.tempo' },
        vocals: { $from: 'inputs.vocals' },
        format: { $from: 'inputs.format' },
        seed: { $from: 'inputs.seed' },
      },
    },
  ],
  outputs: { song: { $from: 'song.audio' }, lyricSheet: { $from: 'song.lyricSheet' }, midi: { $from: 'song.midi' }, duration: { $from: 'song.duration' } },
};
