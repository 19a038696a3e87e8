import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelManager, type ModelManagerOptions } from '../../src/models/index.ts';
import { startFileServer, type TestFileServer } from '../helpers/http-file-server.ts';

import { TESTDATA } from '../helpers/testdata.ts';

export { TESTDATA };

export const STORIES = {
  file: join(TESTDATA, 'stories260K.gguf'),
  size: 1185376,
  sha256: '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d',
};
export const JFK = {
  file: join(TESTDATA, 'jfk.wav'),
  size: 352078,
  sha256: '59dfb9a4acb36fe2a2affc14bacbee2920ff435cb13cc314a08c13f66ba7860e',
};

/** Fast network knobs so retry paths take milliseconds, not seconds. */
export const FAST = { maxAttempts: 3, retryDelayMs: 10, idleTimeoutMs: 2000, progressIntervalMs: 0, lockPollMs: 20 } as const;

export interface Harness {
  dir: string;
  modelsDir: string;
  server: TestFileServer;
  /** A catalog file with entries pointing at the local server. */
  catalogPath: string;
  manager(options?: Partial<ModelManagerOptions>): ModelManager;
  /** Names of files in the models dir's `.partial` folder. */
  partials(): Promise<string[]>;
  cleanup(): Promise<void>;
}

export interface TestCatalogEntry {
  name: string;
  path: string;
  file: string;
  size: number;
  sha256: string;
  tasks?: string[];
}

/** A temp models dir, a 127.0.0.1 file server over testdata, and a catalog for it. */
export async function harness(entries: TestCatalogEntry[] = [], extraRoutes: Record<string, string> = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'shenbi-models-'));
  const modelsDir = join(dir, 'models');
  const server = await startFileServer({
    '/files/stories260K.gguf': STORIES.file,
    '/files/jfk.wav': JFK.file,
    ...extraRoutes,
  });
  const catalogPath = join(dir, 'catalog.json');
  await writeFile(
    catalogPath,
    JSON.stringify({
      version: 1,
      models: entries.map((e) => ({
        name: e.name,
        title: e.name,
        tasks: e.tasks ?? ['text'],
        file: e.file,
        url: `${server.origin}${e.path}`,
        size: e.size,
        sha256: e.sha256,
        license: 'MIT',
        description: `test entry ${e.name}`,
      })),
    }),
  );
  return {
    dir,
    modelsDir,
    server,
    catalogPath,
    manager: (options = {}) => new ModelManager({ modelsDir, catalogs: [catalogPath], download: FAST, ...options }),
    partials: async () => (await readdir(join(modelsDir, '.partial')).catch(() => [] as string[])).sort(),
    cleanup: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const storiesEntry = (overrides: Partial<TestCatalogEntry> = {}): TestCatalogEntry => ({
  name: 'tiny',
  path: '/files/stories260K.gguf',
  file: 'stories260K.gguf',
  size: STORIES.size,
  sha256: STORIES.sha256,
  ...overrides,
});
