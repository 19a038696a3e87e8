import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ShenbiError } from '../../core/errors.ts';

/** A Piper voice on disk: the ONNX graph and its config beside it (`<x>.onnx` + `<x>.onnx.json`). */
export interface PiperVoiceFiles {
  dir: string;
  model: string;
  config: string;
}

/** Finds the voice in a folder (`$SHENBI_HOME/models/<name>/`): exactly one `*.onnx` with its `.onnx.json`. */
export async function findPiperVoiceFiles(dir: string): Promise<PiperVoiceFiles> {
  const notInstalled = (message: string, cause?: unknown) =>
    new ShenbiError('MODEL_NOT_INSTALLED', message, {
      details: { dir },
      hint: `Put a Piper voice (<voice>.onnx and <voice>.onnx.json from rhasspy/piper-voices) in ${dir}.`,
      ...(cause === undefined ? {} : { cause }),
    });
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw notInstalled(`no Piper voice folder at ${dir}`);
  const onnx = (await readdir(dir)).filter((file) => file.endsWith('.onnx')).sort();
  if (onnx.length === 0) throw notInstalled(`no .onnx voice model in ${dir}`);
  if (onnx.length > 1) throw new ShenbiError('MODEL_INVALID', `${dir} holds several .onnx files (${onnx.join(', ')}); a Piper voice folder holds one`, { details: { dir, files: onnx } });
  const model = join(dir, onnx[0]!);
  return { dir, model, config: `${model}.json` };
}
