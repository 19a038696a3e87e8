import type { PipelineSpecInput } from '../../core/pipeline.ts';

/**
 * The seed's digital human: a portrait and a script (or your recording) → a talking presenter
 * video, lip-synced from the voice's phoneme timings, offline. A real person's face needs
 * `consent` ({ subject, basis }); a face Shenbi generated from words needs none.
 */
export const talkingHeadPipeline: PipelineSpecInput = {
  id: 'talking-head',
  title: 'Talking head',
  description: 'A portrait and a script become a lip-synced talking presenter video.',
  inputs: {
    portrait: { type: 'string', description: 'The face: an image file, upload or artifact.' },
    text: { type: 'string', optional: true, description: 'The script (or the words of your audio).' },
    audio: { type: 'string', optional: true, description: 'Your own speech instead of the synthesised voice.' },
    voice: { type: 'string', optional: true },
    language: { type: 'string', optional: true },
    speed: { type: 'number', optional: true },
    consent: { type: 'json', optional: true, description: 'For a real person: {"subject": "…", "basis": "self|written|contract|public-domain|ai-generated"}.' },
    model: { type: 'string', optional: true, description: 'A provider model for photoreal rendering; absent: the local renderer.' },
    resolution: { type: 'string', optional: true, description: 'source, 720p or 1080p.' },
    layout: { type: 'string', optional: true, description: 'portrait, or presenter (9:16 with subtitles).' },
    subtitles: { type: 'boolean', optional: true },
    blink: { type: 'boolean', optional: true },
    headMotion: { type: 'boolean', optional: true },
    seed: { type: 'integer', optional: true },
  },
  steps: [
    {
      id: 'presenter',
      uses: 'video.talking-head',
      with: Object.fromEntries(
        ['portrait', 'text', 'audio', 'voice', 'language', 'speed', 'consent', 'model', 'resolution', 'layout', 'subtitles', 'blink', 'headMotion', 'seed'].map((name) => [name, { $from: `inputs.${name}` }]),
      ),
    },
  ],
  outputs: {
    video: { $from: 'presenter.video' },
    audio: { $from: 'presenter.audio' },
    timings: { $from: 'presenter.timings' },
    duration: { $from: 'presenter.duration' },
    face: { $from: 'presenter.face' },
    lipSync: { $from: 'presenter.lipSync' },
    warnings: { $from: 'presenter.warnings' },
  },
};
