/**
 * One @vladmandic/human per thread, on the TensorFlow.js WASM backend, loaded on first use.
 * Worker-side: detect-faces.ts calls it inside a pool thread; nothing here runs on the
 * server's event loop. Why WASM and how the models load: docs/face-analysis.md.
 *
 * Two pitfalls handled here:
 * - human's package.json "exports" map has keys without "./", so the subpath
 *   `@vladmandic/human/dist/human.node-wasm.js` cannot be imported; the package's main entry
 *   resolves (dist/human.node.js, the tfjs-node build, which needs a native libtensorflow),
 *   and the WASM build beside it is required by absolute path.
 * - human loads models with the global fetch, which cannot read file: URLs; a tfjs load
 *   router reads the model JSON and its weight shards from the package's models/ folder.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Config, Human } from '@vladmandic/human';
import { ShenbiError } from '../../../core/errors.ts';

/**
 * The detector's confidence threshold (0..1): blazeface boxes and face-mesh scores below it
 * are dropped. A clear frontal face scores ≈ 1; 0.5 drops the faint false boxes that
 * textures give without losing a small or soft face.
 */
export const FACE_MIN_CONFIDENCE = 0.5;
/** Faces counted at most (a group photo beyond this is still "several faces"). */
export const FACE_MAX_DETECTED = 10;

const require = createRequire(import.meta.url);

interface HumanModule {
  Human: new (config?: Partial<Config>) => Human;
}

let loading: Promise<Human> | undefined;

/**
 * human.tf, typed: human types it as any, but its WASM build requires the installed
 * @tensorflow/tfjs-core, so it is that very module.
 */
export function humanTf(human: Human): typeof TfCore {
  return human.tf as typeof TfCore;
}

/** This thread's Human, loaded once (a failed load is retried by the next call). */
export function threadHuman(): Promise<Human> {
  if (loading === undefined) {
    loading = loadHuman();
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

/** Where the package's main entry lives: its dist/ folder holds the WASM build, its models/ the face models. */
function humanPackage(): { wasmBuild: string; models: string } {
  const main = require.resolve('@vladmandic/human');
  const dist = dirname(main);
  return { wasmBuild: join(dist, 'human.node-wasm.js'), models: join(dirname(dist), 'models') + sep };
}

async function loadHuman(): Promise<Human> {
  let human: Human;
  const { wasmBuild, models } = humanPackage();
  try {
    const { Human: HumanClass } = require(wasmBuild) as HumanModule;
    // tfjs-backend-wasm's dist/ holds tfjs-backend-wasm{,-simd,-threaded-simd}.wasm.
    const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + sep;
    human = new HumanClass(humanConfig(pathToFileURL(wasmDir).href, pathToFileURL(models).href));
    registerModelRouter(human, models);
    await human.load();
    // human picks the backend inside detect(); initialising it now makes the first detect's cost only the models' warm-up.
    await human.init();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ShenbiError('ENGINE_UNAVAILABLE', `The face detector could not be loaded: ${message}`, {
      cause: error,
      hint: 'Reinstall dependencies (npm ci): @vladmandic/human and @tensorflow/tfjs-backend-wasm ship the detector and its models.',
    });
  }
  return human;
}

/** Face detector + mesh + iris only, no frame-to-frame caching (every portrait is a new picture). */
function humanConfig(wasmPath: string, modelBasePath: string): Partial<Config> {
  const config = {
    backend: 'wasm',
    wasmPath,
    modelBasePath,
    debug: false,
    async: true,
    warmup: 'none',
    cacheSensitivity: 0,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { rotation: true, maxDetected: FACE_MAX_DETECTED, minConfidence: FACE_MIN_CONFIDENCE, skipFrames: 0, skipTime: 0, return: false },
      mesh: { enabled: true, keepInvalid: false },
      iris: { enabled: true },
      attention: { enabled: false },
      emotion: { enabled: false },
      description: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      gear: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  };
  // human merges a partial config into its defaults at every level; its type is only partial at the top.
  return config as unknown as Partial<Config>;
}

/** Serves file: model URLs inside human's models/ folder from disk (anything else falls through to fetch). */
function registerModelRouter(human: Human, modelsDir: string): void {
  const { io } = humanTf(human);
  const router = (url: string | string[]): TfCore.io.IOHandler | null => {
    if (typeof url !== 'string' || !url.startsWith('file://')) return null;
    const path = fileURLToPath(url);
    if (!path.startsWith(modelsDir) || !path.endsWith('.json')) return null;
    return {
      load: async () => {
        const json = JSON.parse(await readFile(path, 'utf8')) as TfCore.io.ModelJSON;
        return io.getModelArtifactsForJSON(json, async (manifest) => {
          const specs = manifest.flatMap((group) => group.weights);
          const shards = await Promise.all(manifest.flatMap((group) => group.paths.map((shard) => readFile(join(dirname(path), shard)))));
          const weights = Buffer.concat(shards);
          return [specs, weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength)];
        });
      },
    };
  };
  // tfjs's IORouter type omits null, which its router registry takes as "not this router's URL".
  io.registerLoadRouter(router as Parameters<typeof io.registerLoadRouter>[0]);
}
