import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Shenbi } from '../../src/shenbi.ts';
import type { ServerOptions } from '../../src/server/app.ts';
import { startServer, type RunningServer } from '../../src/server/start.ts';
import { TESTDATA } from '../helpers/testdata.ts';

export interface TestServer {
  home: string;
  shenbi: Shenbi;
  server: RunningServer;
  url: string;
  close(): Promise<void>;
}

/** A real Shenbi on a temp home, served on 127.0.0.1 (port 0); stories260K imported as the default text model. */
export async function startTestServer(options: ServerOptions & { withModel?: boolean } = {}): Promise<TestServer> {
  const home = mkdtempSync(join(tmpdir(), 'shenbi-server-'));
  const shenbi = await Shenbi.open({ overrides: { home }, env: { ...process.env, SHENBI_TEXT_MODEL: 'stories260k' } });
  if (options.withModel !== false) await shenbi.models.importFile(join(TESTDATA, 'stories260K.gguf'), { name: 'stories260k' });
  const server = await startServer(shenbi, { port: 0, ...options });
  return {
    home,
    shenbi,
    server,
    url: server.url,
    async close() {
      await server.close();
      await shenbi.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Parses a text/event-stream body into events (name, data, id). */
export function parseSse(text: string): { event: string; data: string; id: string | undefined }[] {
  return text
    .split(/\n\n/)
    .map((block) => block.split('\n').filter((line) => line !== '' && !line.startsWith(':')))
    .filter((lines) => lines.length > 0)
    .map((lines) => {
      const field = (name: string) => lines.filter((l) => l.startsWith(`${name}:`)).map((l) => l.slice(name.length + 1).replace(/^ /, ''));
      return { event: field('event')[0] ?? 'message', data: field('data').join('\n'), id: field('id')[0] };
    });
}
