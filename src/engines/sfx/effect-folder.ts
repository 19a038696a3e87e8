import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';
import { decodeAudio } from '../../media/audio/encode.ts';
import type { PcmAudio } from '../../media/audio/pcm.ts';
import { SOUND_EFFECTS, type SoundEffect } from '../short/short-script.ts';

/** An effect file larger than this is refused rather than read into memory (a 3-minute WAV is ~32 MB). */
const MAX_EFFECT_BYTES = 64 * 1024 * 1024;
const EFFECT_RATE = 44_100;

export interface ReadEffectFolderOptions {
  signal?: AbortSignal;
}

/**
 * The user's own effects: files in `dir` named after an effect (whoosh.wav, Rain.mp3 …; the
 * name before the extension, any case, any format ffmpeg decodes), decoded to 44.1 kHz mono.
 * Other files are ignored. When two files name the same effect, the first in name order wins.
 * A file that cannot be decoded is MEDIA_INVALID naming it; a missing folder INVALID_INPUT.
 */
export async function readEffectFolder(dir: string, options: ReadEffectFolderOptions = {}): Promise<Partial<Record<SoundEffect, PcmAudio>>> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    throw new ShenbiError('INVALID_INPUT', `The effects folder ${dir} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, { cause: error, hint: 'Give a folder holding files such as whoosh.wav or rain.mp3.' });
  }
  const chosen = new Map<SoundEffect, string>();
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const effect = name.slice(0, name.length - extname(name).length).toLowerCase();
    if (!(SOUND_EFFECTS as readonly string[]).includes(effect) || chosen.has(effect as SoundEffect)) continue;
    chosen.set(effect as SoundEffect, name);
  }
  const effects: Partial<Record<SoundEffect, PcmAudio>> = {};
  for (const [effect, name] of chosen) {
    options.signal?.throwIfAborted();
    const path = join(dir, name);
    const info = await stat(path);
    if (!info.isFile()) continue;
    if (info.size > MAX_EFFECT_BYTES) throw new ShenbiError('MEDIA_INVALID', `The effect file ${path} is ${Math.round(info.size / 1048576)} MB; effects may be at most ${MAX_EFFECT_BYTES / 1048576} MB.`, { details: { file: path } });
    try {
      effects[effect] = await decodeAudio(await readFile(path), { sampleRate: EFFECT_RATE, ...(options.signal === undefined ? {} : { signal: options.signal }) });
    } catch (error) {
      // A missing ffmpeg or a cancelled job is not the file's fault: pass those on as they are.
      if (error instanceof ShenbiError && error.code !== 'MEDIA_INVALID') throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ShenbiError('MEDIA_INVALID', `The effect file ${path} cannot be read as audio: ${reason}`, { cause: error, details: { file: path, effect } });
    }
  }
  return effects;
}
