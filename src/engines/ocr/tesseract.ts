import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadSharp } from '../../media/load-sharp.ts';
import type { Worker } from 'tesseract.js';
import { ShenbiError } from '../../core/errors.ts';
import type { EngineInfo } from '../engine-info.ts';
import { sharpErrorGist } from '../image-ops/sharp-error.ts';

export const OCR_ENGINE_INFO: EngineInfo = {
  id: 'tesseract.js',
  version: '7.0.0',
  tasks: ['vision'],
  local: true,
  license: 'Apache-2.0',
  description: 'Optical character recognition (Tesseract LSTM in WebAssembly) for English and Simplified Chinese, fully offline.',
};

const LANGUAGES: Record<string, string> = { en: 'eng', eng: 'eng', english: 'eng', zh: 'chi_sim', 'zh-cn': 'chi_sim', 'zh-hans': 'chi_sim', chi_sim: 'chi_sim' };
const SYSTEM_TESSDATA = ['/usr/share/tesseract-ocr/5/tessdata', '/usr/share/tesseract-ocr/4.00/tessdata'];

/**
 * A folder holding `<lang>.traineddata` for every language asked for: $SHENBI_TESSDATA, the
 * system's tesseract data (Debian: tesseract-ocr-eng, tesseract-ocr-chi-sim), or, for English
 * only, the copy shipped in the @tesseract.js-data/eng npm package. Never a CDN.
 */
async function tessdataFor(codes: readonly string[]): Promise<string> {
  const candidates = [process.env.SHENBI_TESSDATA, ...SYSTEM_TESSDATA].filter((d): d is string => !!d);
  const found = candidates.find((dir) => codes.every((c) => existsSync(join(dir, `${c}.traineddata`))));
  if (found) return found;
  if (codes.every((c) => c === 'eng')) {
    const bundled = join(dirname(createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int', 'eng.traineddata.gz');
    const dir = join(tmpdir(), 'shenbi-tessdata-eng-4.0.0_best_int');
    const target = join(dir, 'eng.traineddata');
    if (!existsSync(target)) {
      await mkdir(dir, { recursive: true });
      const partial = `${target}.${process.pid}.partial`;
      await writeFile(partial, gunzipSync(await readFile(bundled)));
      await rename(partial, target);
    }
    return dir;
  }
  const missing = codes.filter((c) => c !== 'eng');
  throw new ShenbiError('MODEL_NOT_INSTALLED', `OCR data for ${missing.join(', ')} is not installed`, {
    hint: `apt-get install ${missing.map((c) => `tesseract-ocr-${c.replace('_', '-')}`).join(' ')} (or set SHENBI_TESSDATA to a folder of .traineddata files)`,
  });
}

const workers = new Map<string, Promise<Worker>>();

export interface OcrResult {
  text: string;
  confidence: number;
  lines: { text: string; confidence: number; box: { x0: number; y0: number; x1: number; y1: number } }[];
}

/** Tesseract puts spaces between Chinese characters; readers do not. */
export function normalizeOcrText(text: string): string {
  return text
    .replace(/(?<=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])[ \t]+(?=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])/g, '')
    .replace(/[ \t]+\n/g, '\n')
    .trim();
}

/**
 * Greyscale PNG for Tesseract. Not enlarged: its Chinese LSTM model was measured here to read
 * 40 px glyphs perfectly and to misread the same line at 64 px or upscaled. Also where a
 * corrupt file or a decompression bomb (over 40 megapixels) is refused.
 */
async function prepare(image: Uint8Array): Promise<Buffer> {
  const sharp = await loadSharp();
  try {
    return await sharp(image, { limitInputPixels: 40_000_000 }).greyscale().png().toBuffer();
  } catch (error) {
    throw new ShenbiError('MEDIA_INVALID', `not a readable image (or over 40 megapixels): ${sharpErrorGist(error)}`, { cause: error });
  }
}

/** Reads the text in an image (PNG, JPEG, …). One worker per language set, kept for reuse. */
export async function recognizeText(image: Uint8Array, options: { languages?: readonly string[] } = {}): Promise<OcrResult> {
  const codes = [...new Set((options.languages ?? ['en', 'zh']).map((l) => {
    const code = LANGUAGES[l.toLowerCase()];
    if (!code) throw new ShenbiError('UNSUPPORTED_LANGUAGE', `OCR has no language "${l}" (en, zh)`);
    return code;
  }))];
  const key = codes.join('+');
  let worker = workers.get(key);
  if (!worker) {
    // Imported here, not at the top: every command would otherwise pay for loading tesseract.js.
    worker = Promise.all([tessdataFor(codes), import('tesseract.js')]).then(([langPath, { createWorker, OEM }]) =>
      createWorker(codes, OEM.LSTM_ONLY, { langPath, gzip: false, cacheMethod: 'none', errorHandler: () => undefined }),
    );
    workers.set(key, worker);
    worker.catch(() => workers.delete(key));
  }
  let result;
  try {
    result = await (await worker).recognize(await prepare(image), {}, { blocks: true });
  } catch (error) {
    if (error instanceof ShenbiError) throw error;
    throw new ShenbiError('MEDIA_INVALID', `cannot read text from this image: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
  const lines = (result.data.blocks ?? []).flatMap((b) => b.paragraphs.flatMap((p) => p.lines)).map((l) => ({ text: normalizeOcrText(l.text), confidence: l.confidence, box: l.bbox }));
  return { text: normalizeOcrText(result.data.text), confidence: result.data.confidence, lines };
}

export async function closeOcr(): Promise<void> {
  const all = [...workers.values()];
  workers.clear();
  for (const w of all) await w.then((worker) => worker.terminate()).catch(() => undefined);
}
