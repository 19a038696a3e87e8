import type { PipelineSpecInput } from '../../core/pipeline.ts';

/**
 * Like invideo: an article → a script by the text model → narrated, captioned, subtitled scenes → MP4.
 * With `clipModel` (a cloud video model) every scene shows a clip generated from its narration;
 * without it the scenes are designed backgrounds and the clips step asks nothing of anyone.
 * With `presenter` (a portrait) a talking head reads the narration in a corner.
 */
export const articleToVideoPipeline: PipelineSpecInput = {
  id: 'article-to-video',
  title: 'Article to video',
  description: 'Turns an article into a narrated, subtitled short video with a scene per idea.',
  inputs: {
    article: { type: 'string', description: 'The article or blog post.' },
    scenes: { type: 'integer', default: 5, description: 'How many scenes (2–12).' },
    aspect: { type: 'string', default: '16:9', description: '16:9, 9:16 or 1:1.' },
    resolution: { type: 'string', default: '720p' },
    voice: { type: 'string', optional: true, description: 'An eSpeak voice (default: from the language).' },
    seed: { type: 'integer', default: 1 },
    model: { type: 'string', optional: true, description: 'Text model for the script.' },
    clipModel: { type: 'string', optional: true, description: 'A cloud video model (provider:model) for a clip per scene; absent: designed backgrounds.' },
    clipStyle: { type: 'string', optional: true, description: 'A look added to every clip prompt.' },
    presenter: { type: 'string', optional: true, description: 'A portrait: a talking presenter reads the narration in a corner (the AI news anchor).' },
    consent: { type: 'json', optional: true, description: 'For a real person as presenter: {"subject": "…", "basis": "…"}.' },
  },
  steps: [
    { id: 'script', uses: 'video.article-script', with: { article: { $from: 'inputs.article' }, scenes: { $from: 'inputs.scenes' }, seed: { $from: 'inputs.seed' }, model: { $from: 'inputs.model' } } },
    {
      id: 'clips',
      uses: 'video.scene-clips',
      with: { script: { $from: 'script.script' }, model: { $from: 'inputs.clipModel' }, style: { $from: 'inputs.clipStyle' }, aspect: { $from: 'inputs.aspect' }, seed: { $from: 'inputs.seed' } },
    },
    {
      id: 'video',
      uses: 'video.narrated',
      with: { script: { $from: 'script.script' }, clips: { $from: 'clips.clips' }, voice: { $from: 'inputs.voice' }, aspect: { $from: 'inputs.aspect' }, resolution: { $from: 'inputs.resolution' }, seed: { $from: 'inputs.seed' }, presenter: { $from: 'inputs.presenter' }, consent: { $from: 'inputs.consent' } },
    },
  ],
  outputs: { video: { $from: 'video.video' }, subtitles: { $from: 'video.subtitles' }, webvtt: { $from: 'video.webvtt' }, script: { $from: 'script.document' }, duration: { $from: 'video.duration' } },
};
