import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { ShenbiError } from '../../core/errors.ts';
import type { DiffusionModelLayout, DiffusionPart } from './model-dir.ts';

/** Session options for diffusion: every core on one operator at a time (UNet convolutions parallelise well inside). */
export function diffusionSessionOptions(): ort.InferenceSession.SessionOptions {
  return { intraOpNumThreads: availableParallelism(), interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
}

interface CachedModel {
  parts: Map<DiffusionPart, Promise<ort.InferenceSession>>;
  users: number;
  timer: NodeJS.Timeout | undefined;
}

// Loading a real UNet takes seconds and ~1.7 GB; keep sessions per model folder, drop them when idle.
const models = new Map<string, CachedModel>();
let idleMs = 5 * 60_000;

/** How long an unused model's sessions stay loaded (tests and servers tune this). */
export function setDiffusionIdleRelease(ms: number): void {
  idleMs = ms;
}

async function load(path: string, part: DiffusionPart): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(path, diffusionSessionOptions());
  } catch (error) {
    throw new ShenbiError('MODEL_INVALID', `${path} is not a usable ONNX ${part} model: ${(error as Error).message.split('\n')[0]}`, {
      cause: error,
      details: { path, part },
      hint: 'Re-export or re-download the model folder; the file may be truncated or corrupt.',
    });
  }
}

/** Borrows the model's sessions for one generation; `release()` starts the idle clock when the last user leaves. */
export function acquireSessions(layout: DiffusionModelLayout): { session(part: DiffusionPart): Promise<ort.InferenceSession>; release(): void } {
  let cached = models.get(layout.dir);
  if (!cached) {
    cached = { parts: new Map(), users: 0, timer: undefined };
    models.set(layout.dir, cached);
  }
  const entry = cached;
  entry.users++;
  if (entry.timer) clearTimeout(entry.timer);
  entry.timer = undefined;
  let released = false;
  return {
    session(part) {
      let found = entry.parts.get(part);
      if (!found) {
        found = load(layout.partPath(part), part);
        entry.parts.set(part, found);
        // A failed load is not cached: fixing the file and retrying must work.
        found.catch(() => entry.parts.delete(part));
      }
      return found;
    },
    release() {
      if (released) return;
      released = true;
      entry.users--;
      if (entry.users > 0) return;
      entry.timer = setTimeout(() => void dropModel(layout.dir), idleMs);
      entry.timer.unref();
    },
  };
}

async function dropModel(dir: string): Promise<void> {
  const entry = models.get(dir);
  if (!entry || entry.users > 0) return;
  models.delete(dir);
  if (entry.timer) clearTimeout(entry.timer);
  for (const pending of entry.parts.values()) {
    try {
      await (await pending).release();
    } catch {
      // A session that failed to load has nothing to release.
    }
  }
}

/** Releases every idle cached session now (shutdown, tests). */
export async function releaseDiffusionSessions(): Promise<void> {
  await Promise.all([...models.keys()].map(dropModel));
}

/** Number of model folders with loaded sessions (for tests of the idle release). */
export function loadedDiffusionModels(): number {
  return models.size;
}
