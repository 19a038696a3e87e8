import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepContext, StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { generateTalkingHeadVideo, isTalkingHeadProviderModel, type TalkingHeadProviders } from '../../../engines/cloud-talking-head/index.ts';
import { analyzePortrait } from '../../../engines/talking-head/face/index.ts';
import { presenterLayout, renderTalkingHead } from '../../../engines/talking-head/render/index.ts';
import type { FaceAnalysis } from '../../../engines/talking-head/types.ts';
import { narrationAss } from '../../../engines/video/narration-ass.ts';
import { makeWorkDir, removeWorkDir } from '../../../fs/work-dir.ts';
import type { VideoLabeler } from '../../../governance/explicit/video-labeler.ts';
import { consentForLikeness } from '../../../governance/moderation/index.ts';
import { narrationCues } from '../../../media/subtitles/narration-cues.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';
import { present } from '../present-inputs.ts';
import { faceSpeech, type FaceSpeech, type TalkingHeadVoice } from './face-speech.ts';
import { preparePortrait, type PreparedPortrait } from './prepare-portrait.ts';
import { TALKING_HEAD_FPS, TALKING_HEAD_LAYOUTS, TALKING_HEAD_RESOLUTIONS, talkingHeadInputSchema, type TalkingHeadInput } from './talking-head-input.ts';

const ENGINE = { id: 'shenbi-talking-head', version: '1' } as const;
const LIKENESS = { input: 'portrait', feature: 'A talking portrait' } as const;

export interface TalkingHeadStepDeps {
  voice: () => TalkingHeadVoice;
  media: MediaPolicy;
  labeler?: VideoLabeler;
  providers?: () => TalkingHeadProviders;
}

/**
 * A portrait and a script (or the user's audio) → a talking presenter MP4. The face is found
 * and its 468 landmarks measured; the speech's phoneme timings drive visemes; the local
 * renderer warps the face mesh frame by frame (or a provider model renders it), and the video
 * is encoded with the explicit AI label in the same pass. A real person's portrait needs
 * consent (refused at submission without it), which is recorded in the provenance.
 */
export function talkingHeadStep(deps: TalkingHeadStepDeps): StepDefinition {
  return {
    type: 'video.talking-head',
    title: 'Talking head',
    description: 'A portrait and a script (or audio) become a lip-synced talking presenter video.',
    version: '1',
    engine: 'ffmpeg',
    likeness: LIKENESS,
    inputs: inputPorts(talkingHeadInputSchema),
    outputs: {
      video: { type: 'artifact' },
      audio: { type: 'artifact', optional: true },
      timings: { type: 'artifact', optional: true },
      duration: { type: 'number' },
      face: { type: 'json' },
      lipSync: { type: 'string' },
      warnings: { type: 'json', optional: true },
    },
    cacheSalt: (inputs) => (typeof inputs.model === 'string' ? { provider: inputs.model } : null),
    async run(ctx, raw) {
      const input = parseOrThrow(talkingHeadInputSchema, present(raw), 'video.talking-head input');
      // Consent first, before any work (submission checked it too when the portrait was a job input).
      const consent = await consentForLikeness(input.portrait, input.consent, LIKENESS, { findArtifact: async (id) => (await ctx.readArtifact(id)).artifact });
      const portrait = await readMediaInput(ctx, input.portrait, deps.media, 'image');
      ctx.progress({ fraction: 0.02, message: 'finding the face' });
      const prepared = await preparePortrait(portrait.bytes, { resolution: input.resolution });
      const analysis = await analyzePortrait(prepared.png, { signal: ctx.signal });
      for (const warning of analysis.warnings) ctx.progress({ message: `warning: ${warning}` });
      const speech = await faceSpeech(ctx, input, deps.voice(), deps.media);
      const provenance = {
        ...(consent === undefined ? { likeness: 'synthetic' } : { consent }),
        lipSync: speech.lipSync,
        layout: input.layout,
        resolution: input.layout === 'presenter' ? presenterSize(input.resolution).join('x') : `${prepared.width}x${prepared.height}`,
        fps: TALKING_HEAD_FPS,
        face: faceSummary(analysis),
      };
      const parents = [...portrait.parents, ...speech.parents, ...(speech.audioArtifact === undefined ? [] : [speech.audioArtifact])];
      const video =
        input.model !== undefined && isTalkingHeadProviderModel(input.model, deps.providers?.() ?? {})
          ? await providerVideo(ctx, input, prepared, speech, deps, parents, provenance)
          : await localVideo(ctx, input, prepared, analysis, speech, deps, parents, provenance);
      ctx.progress({ fraction: 1, message: 'done' });
      return {
        video,
        duration: speech.duration,
        face: faceSummary(analysis),
        lipSync: speech.lipSync,
        ...(speech.audioArtifact === undefined ? {} : { audio: speech.audioArtifact }),
        ...(speech.timingsArtifact === undefined ? {} : { timings: speech.timingsArtifact }),
        ...(analysis.warnings.length === 0 ? {} : { warnings: analysis.warnings }),
      };
    },
  };
}

function faceSummary(analysis: FaceAnalysis): Record<string, unknown> {
  const { box, score, pose } = analysis.face;
  return { box, score, pose, faceCount: analysis.faceCount, imageWidth: analysis.imageWidth, imageHeight: analysis.imageHeight };
}

async function localVideo(ctx: StepContext, input: TalkingHeadInput, prepared: PreparedPortrait, analysis: FaceAnalysis, speech: FaceSpeech, deps: TalkingHeadStepDeps, parents: string[], provenance: Record<string, unknown>): Promise<string> {
  const dir = await makeWorkDir('talking-head');
  try {
    const audioPath = join(dir, 'speech.audio');
    const outPath = join(dir, 'talking-head.mp4');
    await writeFile(audioPath, speech.audioBytes);
    let portraitPath = join(dir, 'portrait.png');
    await writeFile(portraitPath, prepared.png);
    let frame = { width: prepared.width, height: prepared.height, face: analysis.face };
    if (input.layout === 'presenter') {
      const [width, height] = presenterSize(input.resolution);
      const canvas = await presenterLayout({ portraitPath, face: analysis.face, outPath: join(dir, 'presenter.png'), width, height });
      portraitPath = canvas.path;
      frame = { width, height, face: canvas.face };
    }
    const subtitlesPath = (input.subtitles ?? input.layout === 'presenter') && speech.words.length > 0 ? await writeSubtitles(dir, input.text, speech, frame) : undefined;
    const label = await deps.labeler?.overlay({ width: frame.width, height: frame.height }, dir);
    ctx.progress({ fraction: 0.3, message: `rendering ${speech.duration.toFixed(1)} s at ${frame.width}×${frame.height}, ${TALKING_HEAD_FPS} fps` });
    const rendered = await renderTalkingHead({
      portraitPath,
      face: frame.face,
      track: speech.track,
      audioPath,
      outPath,
      idle: { blink: input.blink, head: input.headMotion },
      seed: input.seed,
      ...(label === undefined ? {} : { labelFilter: label.filter }),
      ...(subtitlesPath === undefined ? {} : { subtitlesPath }),
      signal: ctx.signal,
      onProgress: (fraction) => ctx.progress({ fraction: 0.3 + 0.65 * fraction }),
    });
    const stored = await ctx.writeArtifact({
      kind: 'video',
      mimeType: 'video/mp4',
      bytes: await readFile(outPath),
      name: 'talking-head.mp4',
      parents,
      engine: ENGINE,
      parameters: { ...provenance, frames: rendered.frames, region: rendered.region, timings: rendered.timings },
      seed: input.seed,
      ...(label === undefined ? {} : { explicitLabel: label.record }),
    });
    return stored.id;
  } finally {
    await removeWorkDir(dir);
  }
}

async function providerVideo(ctx: StepContext, input: TalkingHeadInput, prepared: PreparedPortrait, speech: FaceSpeech, deps: TalkingHeadStepDeps, parents: string[], provenance: Record<string, unknown>): Promise<string> {
  const model = input.model!;
  ctx.progress({ fraction: 0.3, message: `asking ${model}` });
  let made;
  try {
    made = await generateTalkingHeadVideo({
      model,
      portrait: { bytes: prepared.png, mimeType: 'image/png' },
      // The adapter reads the audio's type from its bytes (cloud-talking-head/inputs.ts); no claim to make here.
      audio: { bytes: speech.audioBytes, mimeType: 'application/octet-stream' },
      providers: deps.providers?.() ?? {},
      signal: ctx.signal,
      onProgress: (fraction, message) => ctx.progress({ fraction: 0.3 + 0.65 * fraction, message }),
    });
  } catch (error) {
    // The provider client rethrows a plain AbortError when cancelled: the job's reason says why.
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw error;
  }
  const stored = await ctx.writeArtifact({
    kind: 'video',
    mimeType: made.mimeType,
    bytes: made.bytes,
    name: 'talking-head.mp4',
    parents,
    engine: { id: `provider:${made.provider}`, version: '1' },
    model: { name: made.model, sha256: null },
    parameters: { ...provenance, requestId: made.requestId },
    seed: input.seed,
  });
  return stored.id;
}

/** The 9:16 presenter frame: 1080×1920 at 1080p, else 720×1280. */
function presenterSize(resolution: TalkingHeadInput['resolution']): [number, number] {
  return resolution === '1080p' ? [1080, 1920] : [720, 1280];
}

async function writeSubtitles(dir: string, text: string, speech: FaceSpeech, frame: { width: number; height: number }): Promise<string> {
  const cues = narrationCues([{ text, words: speech.words, start: 0, end: speech.duration }]);
  const path = join(dir, 'subtitles.ass');
  await writeFile(path, narrationAss([], cues, { width: frame.width, height: frame.height }), 'utf8');
  return path;
}
