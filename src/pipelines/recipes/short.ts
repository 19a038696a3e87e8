import type { PipelineSpecInput } from '../../core/pipeline.ts';

/**
 * One sentence → a finished short (invideo, 快手云剪, Soundify): the text model writes a script of
 * scenes (or you bring one), each scene gets a picture (your uploads, an image model, or a
 * designed card), and the short is narrated, scored with a music bed ducked under the voice,
 * given sound effects at their cues, subtitled, titled and covered. With a script given it runs
 * offline with nothing installed.
 */
export const shortPipeline: PipelineSpecInput = {
  id: 'short',
  title: 'Idea to short',
  description: 'One sentence becomes a narrated, scored, subtitled short with a picture per scene, sound effects and a cover.',
  inputs: {
    idea: { type: 'string', optional: true, description: 'One sentence: what the short is about (zh or en).' },
    script: { type: 'json', optional: true, description: 'Your own script instead: plain text (first line the title, then a line per scene) or the script JSON.' },
    duration: { type: 'integer', optional: true, description: 'Target length, 15–180 s (default 30).' },
    language: { type: 'string', optional: true, description: 'zh or en (default: from the idea).' },
    model: { type: 'string', optional: true, description: 'Text model for the script.' },
    pictures: { type: 'json', optional: true, description: 'Your pictures (upload ids, artifact ids or files), given to scenes in order.' },
    imageModel: { type: 'string', optional: true, description: 'An image model for the other scenes; absent: designed cards.' },
    style: { type: 'string', optional: true, description: 'A look added to every picture prompt.' },
    music: { type: 'string', optional: true, description: 'none, your track, or a provider music model; absent: a bed from the composer.' },
    effects: { type: 'string', optional: true, description: 'A folder of your own effect files (whoosh.wav …).' },
    effectsModel: { type: 'string', optional: true, description: "A provider sound model for the effects (elevenlabs:sound-generation, fal:fal-ai/stable-audio); absent: Shenbi's own." },
    voice: { type: 'string', optional: true },
    aspect: { type: 'string', optional: true, description: '9:16 (default), 16:9 or 1:1.' },
    resolution: { type: 'string', optional: true, description: '720p (default) or 1080p.' },
    presenter: { type: 'string', optional: true, description: 'A portrait: a talking presenter reads the narration in a corner.' },
    consent: { type: 'json', optional: true, description: 'For a real person as presenter: {"subject": "…", "basis": "…"}.' },
    seed: { type: 'integer', optional: true },
  },
  steps: [
    {
      id: 'script',
      uses: 'video.short-script',
      with: Object.fromEntries(['idea', 'script', 'duration', 'language', 'model', 'seed'].map((name) => [name, { $from: `inputs.${name}` }])),
    },
    {
      id: 'pictures',
      uses: 'video.short-pictures',
      with: { script: { $from: 'script.script' }, pictures: { $from: 'inputs.pictures' }, model: { $from: 'inputs.imageModel' }, style: { $from: 'inputs.style' }, aspect: { $from: 'inputs.aspect' }, seed: { $from: 'inputs.seed' } },
    },
    {
      id: 'short',
      uses: 'video.short',
      with: {
        script: { $from: 'script.script' },
        pictures: { $from: 'pictures.pictures' },
        ...Object.fromEntries(['music', 'effects', 'effectsModel', 'voice', 'aspect', 'resolution', 'presenter', 'consent', 'seed'].map((name) => [name, { $from: `inputs.${name}` }])),
      },
    },
  ],
  outputs: {
    video: { $from: 'short.video' },
    cover: { $from: 'short.cover' },
    subtitles: { $from: 'short.subtitles' },
    webvtt: { $from: 'short.webvtt' },
    script: { $from: 'script.document' },
    duration: { $from: 'short.duration' },
  },
};
