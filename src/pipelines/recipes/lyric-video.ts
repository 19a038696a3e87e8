import type { PipelineSpecInput } from '../../core/pipeline.ts';

/** Your lyrics → a sung song → its lyric video (typographic scenes cut on the lyric timings). */
export const lyricVideoPipeline: PipelineSpecInput = {
  id: 'lyric-video',
  title: 'Lyric video',
  description: 'Makes a song from your lyrics, then a video with a scene per line and karaoke lyrics.',
  inputs: {
    lyrics: { type: 'string', description: 'One line per phrase (newlines, | or / break lines); blank lines or [Verse]/[Chorus] start sections.' },
    title: { type: 'string', optional: true },
    mood: { type: 'string', default: 'warm' },
    vocals: { type: 'string', default: 'sung' },
    aspect: { type: 'string', default: '16:9', description: '16:9, 9:16 or 1:1.' },
    resolution: { type: 'string', default: '720p', description: '720p or 1080p.' },
    seed: { type: 'integer', default: 1 },
  },
  steps: [
    {
      id: 'song',
      uses: 'music.song',
      with: { lyrics: { $from: 'inputs.lyrics' }, title: { $from: 'inputs.title' }, mood: { $from: 'inputs.mood' }, vocals: { $from: 'inputs.vocals' }, format: 'mp3', seed: { $from: 'inputs.seed' } },
    },
    {
      id: 'video',
      uses: 'video.lyric',
      with: {
        audio: { $from: 'song.audio' },
        lyricSheet: { $from: 'song.lyricSheet' },
        title: { $from: 'inputs.title' },
        aspect: { $from: 'inputs.aspect' },
        resolution: { $from: 'inputs.resolution' },
        seed: { $from: 'inputs.seed' },
      },
    },
  ],
  outputs: { video: { $from: 'video.video' }, song: { $from: 'song.audio' }, lyricSheet: { $from: 'song.lyricSheet' }, duration: { $from: 'video.duration' } },
};
