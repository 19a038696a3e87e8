import { readFileSync } from 'node:fs';
import { ShenbiError } from '../core/errors.ts';
import type { PipelineSpecInput } from '../core/pipeline.ts';
import { blessingCardPipeline } from './recipes/blessing-card.ts';
import { blessingSongPipeline, songFromLyricsPipeline } from './recipes/blessing-song.ts';
import { articleToVideoPipeline } from './recipes/article-to-video.ts';
import { lyricVideoPipeline } from './recipes/lyric-video.ts';
import { npcItemPipeline } from './recipes/npc-item.ts';
import { npcReplyPipeline } from './recipes/npc-reply.ts';
import { talkingHeadPipeline } from './recipes/talking-head.ts';
import { shortPipeline } from './recipes/short.ts';

/** Built-in scenario recipes, by id. */
export const BUILTIN_PIPELINES: readonly PipelineSpecInput[] = [blessingCardPipeline, blessingSongPipeline, songFromLyricsPipeline, lyricVideoPipeline, articleToVideoPipeline, npcReplyPipeline, npcItemPipeline, talkingHeadPipeline, shortPipeline];

/** `showcase` is what `npm start` runs: the best pipeline that needs no model. */
export const PIPELINE_ALIASES: Readonly<Record<string, string>> = { showcase: 'blessing-card' };

export function listPipelines(): readonly PipelineSpecInput[] {
  return BUILTIN_PIPELINES;
}

/**
 * Finds a pipeline by id (or alias), or loads one from a JSON file when given a path
 * ending in .json. Structure is validated later, against the step registry, by the runner.
 */
export function findPipeline(idOrPath: string): PipelineSpecInput {
  if (idOrPath.endsWith('.json')) return readPipelineFile(idOrPath);
  const id = PIPELINE_ALIASES[idOrPath] ?? idOrPath;
  const found = BUILTIN_PIPELINES.find((p) => p.id === id);
  if (found === undefined) {
    const known = [...BUILTIN_PIPELINES.map((p) => p.id), ...Object.keys(PIPELINE_ALIASES)];
    throw new ShenbiError('UNKNOWN_PIPELINE', `Unknown pipeline "${idOrPath}". Known pipelines: ${known.join(', ')}; or give a path to a pipeline .json file.`, {
      details: { known },
    });
  }
  return found;
}

function readPipelineFile(path: string): PipelineSpecInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ShenbiError('UNKNOWN_PIPELINE', `Cannot read the pipeline file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text) as PipelineSpecInput;
  } catch (error) {
    throw new ShenbiError('PIPELINE_INVALID', `The pipeline file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
