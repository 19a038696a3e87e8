import { ShenbiError } from '../core/errors.ts';
import type { PipelineSpecInput } from '../core/pipeline.ts';
import type { TaskKind } from '../core/task-kinds.ts';
import { isCloudMusicSpec } from '../engines/cloud-music/spec.ts';
import { isCloud3dSpec } from '../engines/cloud-3d/spec.ts';
import { getTask, parseTaskInput } from '../tasks/index.ts';
import { imageTaskPipeline } from './image-task-pipeline.ts';

/**
 * `shenbi generate TASK` runs a one-step (or few-step) pipeline built from the task's
 * validated input. Each entry maps a task kind to the steps of the engine that serves it.
 */
type TaskPipelineBuilder = (input: Record<string, unknown>) => PipelineSpecInput;

/** Copies the fields that are set, so step defaults apply to the rest. */
function defined(input: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => input[k] !== undefined).map((k) => [k, input[k]]));
}

function textPipeline(input: Record<string, unknown>): PipelineSpecInput {
  return {
    id: 'generate-text',
    title: 'Generate text',
    steps: [
      {
        id: 'text',
        uses: 'text.generate',
        with: defined(input, ['prompt', 'mode', 'system', 'style', 'maxTokens', 'temperature', 'topP', 'stop', 'schema', 'seed', 'model']),
      },
    ],
    outputs: { text: { $from: 'text.text' }, document: { $from: 'text.document' } },
  };
}

function expandPipeline(input: Record<string, unknown>): PipelineSpecInput {
  return {
    id: 'expand-prompt',
    title: 'Expand a prompt',
    steps: [{ id: 'expand', uses: 'prompt.expand', with: defined(input, ['prompt', 'count', 'target', 'maxTokens', 'temperature', 'seed', 'model']) }],
    outputs: { descriptions: { $from: 'expand.descriptions' }, document: { $from: 'expand.document' } },
  };
}

const BUILDERS: Partial<Record<TaskKind, TaskPipelineBuilder>> = {
  // mode "expand" with a count or target: N descriptions for another engine (prompt.expand).
  text: (input) => (input.mode === 'expand' && (input.count !== undefined || input.target !== undefined) ? expandPipeline(input) : textPipeline(input)),
  code: (input) => ({
    id: 'generate-code',
    title: 'Generate code',
    steps: [{ id: 'code', uses: 'code.generate', with: defined(input, ['prompt', 'language', 'examples', 'samples', 'timeoutMs', 'seed', 'model']) }],
    outputs: { code: { $from: 'code.code' }, report: { $from: 'code.report' }, passed: { $from: 'code.passed' }, total: { $from: 'code.total' } },
  }),
  science: (input) => ({
    id: 'generate-science',
    title: 'Solve and check',
    steps: [{ id: 'solve', uses: 'science.solve', with: defined(input, ['question', 'check', 'seed', 'model']) }],
    outputs: { solution: { $from: 'solve.solution' }, page: { $from: 'solve.page' }, answer: { $from: 'solve.answer' }, status: { $from: 'solve.status' } },
  }),
  speech: (input) => {
    // voice 'piper:<name>', model 'piper:<name>' or a bare model name: an installed Piper (VITS) voice.
    const piperVoice =
      typeof input.voice === 'string' && input.voice.startsWith('piper:') ? input.voice
      : typeof input.model === 'string' && (input.model.startsWith('piper:') || !input.model.includes(':')) ? input.model
      : undefined;
    if (piperVoice !== undefined) {
      return {
        id: 'generate-speech',
        title: 'Speak text (Piper voice)',
        steps: [{ id: 'speech', uses: 'speech.piper', with: { ...defined(input, ['text', 'speed', 'format']), voice: piperVoice } }],
        outputs: { audio: { $from: 'speech.audio' }, timings: { $from: 'speech.timings' }, duration: { $from: 'speech.duration' } },
      };
    }
    // provider:model is cloud TTS (OpenAI, ElevenLabs) through the AI SDK; no model is eSpeak-NG offline.
    if (typeof input.model === 'string' && input.model.includes(':')) {
      return {
        id: 'generate-speech',
        title: 'Speak text (cloud)',
        steps: [{ id: 'speech', uses: 'speech.cloud', with: defined(input, ['text', 'model', 'language', 'voice', 'speed', 'format']) }],
        outputs: { audio: { $from: 'speech.audio' }, timings: { $from: 'speech.timings' }, duration: { $from: 'speech.duration' } },
      };
    }
    return {
    id: 'generate-speech',
    title: 'Speak text',
    steps: [{ id: 'speech', uses: 'speech.synthesize', with: defined(input, ['text', 'language', 'voice', 'speed', 'format']) }],
    outputs: { audio: { $from: 'speech.audio' }, timings: { $from: 'speech.timings' }, duration: { $from: 'speech.duration' } },
    };
  },
  // With the known text: forced alignment (no recognition model). Without: whisper.cpp.
  transcription: (input): PipelineSpecInput =>
    input.transcript !== undefined
      ? {
          id: 'align-transcript',
          title: 'Align a transcript',
          steps: [{ id: 'align', uses: 'speech.align', with: defined(input, ['audio', 'transcript', 'language', 'format']) }],
          outputs: { subtitles: { $from: 'align.subtitles' }, timings: { $from: 'align.timings' } },
        }
      : {
          id: 'transcribe',
          title: 'Transcribe speech',
          steps: [{ id: 'asr', uses: 'speech.transcribe', with: defined(input, ['audio', 'language', 'wordTimestamps', 'format', 'model']) }],
          outputs: { text: { $from: 'asr.text' }, transcript: { $from: 'asr.transcript' }, subtitles: { $from: 'asr.subtitles' } },
        },
  video: (input): PipelineSpecInput => {
    const operation = String(input.operation ?? (input.source !== undefined ? 'subtitles' : 'article'));
    const one = (uses: string, keys: string[], outputs: Record<string, { $from: string }>): PipelineSpecInput => ({
      id: `video-${operation}`,
      title: `Video: ${operation}`,
      steps: [{ id: 'edit', uses, with: defined(input, keys) }],
      outputs,
    });
    switch (operation) {
      case 'subtitles':
        return { ...one('video.subtitles', ['source', 'script', 'language', 'model'], { video: { $from: 'edit.video' } }), steps: [{ id: 'edit', uses: 'video.subtitles', with: { ...defined(input, ['source', 'script', 'language', 'model']), soft: input.softSubtitles === true } }] };
      case 'dub':
        return one('video.dub', ['source', 'script', 'voice', 'language', 'mode'], { video: { $from: 'edit.video' } });
      case 'cover':
        return one('video.cover', ['source', 'title'], { cover: { $from: 'edit.cover' }, time: { $from: 'edit.time' } });
      case 'portrait':
        return one('video.portrait', ['source', 'mode', 'resolution'], { video: { $from: 'edit.video' } });
      case 'stabilize':
        return one('video.stabilize', ['source'], { video: { $from: 'edit.video' } });
      case 'folder':
        return {
          id: 'folder-short',
          title: 'Folder to short video',
          steps: [{ id: 'edit', uses: 'video.folder-short', with: { folder: input.source, ...defined(input, ['script', 'title', 'voice', 'aspect', 'resolution']) } }],
          outputs: { video: { $from: 'edit.video' }, subtitles: { $from: 'edit.subtitles' }, webvtt: { $from: 'edit.webvtt' }, duration: { $from: 'edit.duration' } },
        };
      case 'generate':
        return {
          id: 'cloud-clip',
          title: 'Generate a clip',
          steps: [{ id: 'clip', uses: 'video.cloud-clip', with: { prompt: input.prompt, model: input.model, ...(input.aspect === '9:16' ? { aspect: '9:16' } : {}), ...(input.durationSec === undefined ? {} : { duration: input.durationSec }), ...defined(input, ['seed']) } }],
          outputs: { video: { $from: 'clip.video' } },
        };
      case 'enhance':
        return one('video.enhance', ['source', 'upscale'], { video: { $from: 'edit.video' } });
      default:
        return {
          id: 'article-to-video',
          title: 'Article to video',
          steps: [
            { id: 'script', uses: 'video.article-script', with: { article: input.prompt, ...defined(input, ['scenes', 'language', 'seed', 'model']) } },
            { id: 'video', uses: 'video.narrated', with: { script: { $from: 'script.script' }, ...defined(input, ['voice', 'aspect', 'resolution', 'seed']) } },
          ],
          outputs: { video: { $from: 'video.video' }, subtitles: { $from: 'video.subtitles' }, webvtt: { $from: 'video.webvtt' }, script: { $from: 'script.document' }, duration: { $from: 'video.duration' } },
        };
    }
  },
  vision: (input): PipelineSpecInput => {
    if (input.mode !== 'ocr') {
      // Caption or question: a multimodal provider model (the step explains what to pass when none is given).
      const question = input.mode === 'caption' ? {} : { question: input.question };
      return {
        id: 'describe-image',
        title: input.mode === 'caption' ? 'Caption an image' : 'Answer a question about an image',
        steps: [{ id: 'describe', uses: 'vision.describe', with: { ...defined(input, ['image', 'model']), ...question } }],
        outputs: { text: { $from: 'describe.text' }, document: { $from: 'describe.document' } },
      };
    }
    return {
      id: 'ocr',
      title: 'Read text in an image',
      steps: [{ id: 'ocr', uses: 'vision.ocr', with: defined(input, ['image', 'languages']) }],
      outputs: { text: { $from: 'ocr.text' }, lines: { $from: 'ocr.lines' } },
    };
  },
  music: (input): PipelineSpecInput => {
    // elevenlabs:…, replicate:…, fal:… are cloud music models; any other model writes the lyrics.
    if (typeof input.model === 'string' && isCloudMusicSpec(input.model)) {
      return {
        id: 'generate-music',
        title: 'Song from a cloud music model',
        steps: [{ id: 'song', uses: 'music.cloud', with: defined(input, ['model', 'prompt', 'lyrics', 'recipient', 'title', 'mood', 'genre', 'instrument', 'tempo', 'key', 'vocals', 'duration', 'format', 'seed']) }],
        outputs: { song: { $from: 'song.audio' }, duration: { $from: 'song.duration' } },
      };
    }
    if (input.midi !== undefined) {
      return {
        id: 'generate-music',
        title: 'Render a MIDI file',
        steps: [{ id: 'render', uses: 'music.render-midi', with: defined(input, ['midi', 'soundfont', 'title', 'format']) }],
        outputs: { song: { $from: 'render.audio' }, duration: { $from: 'render.duration' } },
      };
    }
    const song = defined(input, ['title', 'mood', 'genre', 'instrument', 'tempo', 'key', 'vocals', 'format', 'soundfont', 'seed']);
    if (input.lyrics !== undefined) {
      return {
        id: 'generate-music',
        title: 'Song from lyrics',
        steps: [{ id: 'song', uses: 'music.song', with: { ...song, lyrics: input.lyrics } }],
        outputs: { song: { $from: 'song.audio' }, lyricSheet: { $from: 'song.lyricSheet' }, midi: { $from: 'song.midi' }, duration: { $from: 'song.duration' } },
      };
    }
    return {
      id: 'generate-music',
      title: 'Song for a wish',
      steps: [
        { id: 'lyrics', uses: 'music.lyrics', with: { recipient: input.recipient ?? '', wish: input.prompt, mood: input.mood, ...defined(input, ['seed', 'model']) } },
        { id: 'song', uses: 'music.song', with: { ...song, lyrics: { $from: 'lyrics.lyrics' }, ...(input.title === undefined ? { title: { $from: 'lyrics.title' } } : {}) } },
      ],
      outputs: { song: { $from: 'song.audio' }, lyricSheet: { $from: 'song.lyricSheet' }, midi: { $from: 'song.midi' }, lyrics: { $from: 'lyrics.lyrics' }, duration: { $from: 'song.duration' } },
    };
  },
  image: imageTaskPipeline,
  // The local engine: a scene program (built-in object, text model, or given) built on the geometry kernel.
  '3d': (input): PipelineSpecInput => (typeof input.model === 'string' && isCloud3dSpec(input.model) ? {
    // meshy:…, tripo:…, rodin:…, fal:…, replicate:…: a cloud 3D model, from the prompt or the image.
    id: 'generate-3d',
    title: 'A 3D model from a cloud provider',
    steps: [{ id: 'model3d', uses: 'model3d.cloud', with: defined(input, ['model', 'prompt', 'image', 'format', 'seed', 'thumbnail']) }],
    outputs: { model: { $from: 'model3d.model' }, thumbnail: { $from: 'model3d.thumbnail' } },
  } : {
    id: 'generate-3d',
    title: 'Generate a 3D model',
    steps: [
      {
        id: 'model3d',
        uses: 'model3d.generate',
        // `--set program={…}` arrives parsed; the step takes the program as text (or an art_ id).
        with: { ...defined(input, ['prompt', 'format', 'alsoFormats', 'detail', 'seed', 'model', 'thumbnail', 'turntable']), ...(input.program === undefined ? {} : { program: typeof input.program === 'string' ? input.program : JSON.stringify(input.program) }) },
      },
    ],
    outputs: { model: { $from: 'model3d.model' }, program: { $from: 'model3d.program' }, thumbnail: { $from: 'model3d.thumbnail' }, turntable: { $from: 'model3d.turntable' }, files: { $from: 'model3d.files' }, metrics: { $from: 'model3d.metrics' }, source: { $from: 'model3d.source' } },
  }),
  // Text → motion on the standard skeleton: the rule-based parser, a text model (Action-GPT) or a given plan; or imported joints.
  motion: (input): PipelineSpecInput => ({
    id: 'generate-motion',
    title: 'Generate a motion',
    steps: [
      {
        id: 'motion',
        uses: 'motion.generate',
        // `--set plan={…}` arrives parsed; the step takes the plan as text (or an art_ id).
        with: { ...defined(input, ['prompt', 'format', 'fps', 'seed', 'model', 'rig', 'joints']), ...(input.plan === undefined ? {} : { plan: typeof input.plan === 'string' ? input.plan : JSON.stringify(input.plan) }) },
      },
    ],
    outputs: { motion: { $from: 'motion.motion' }, plan: { $from: 'motion.plan' }, bvh: { $from: 'motion.bvh' }, metrics: { $from: 'motion.metrics' }, duration: { $from: 'motion.duration' }, timeline: { $from: 'motion.timeline' }, source: { $from: 'motion.source' }, warnings: { $from: 'motion.warnings' } },
  }),
};

export function availableTaskKinds(): TaskKind[] {
  return Object.keys(BUILDERS) as TaskKind[];
}

/** Validates the input for the task and returns the pipeline that serves it. */
export function pipelineForTask(kind: string, rawInput: unknown): PipelineSpecInput {
  const task = getTask(kind);
  const input = parseTaskInput(kind, rawInput);
  const build = BUILDERS[task.kind];
  if (build === undefined) {
    throw new ShenbiError(
      'ENGINE_UNAVAILABLE',
      `No installed engine serves the "${task.kind}" task yet. Tasks with an engine: ${availableTaskKinds().join(', ')}.`,
      { details: { task: task.kind, available: availableTaskKinds() } },
    );
  }
  return build(input);
}
