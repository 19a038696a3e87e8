import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseOrThrow } from '../../core/validation.ts';
import { warmUpWanted, type CliContext } from '../context.ts';
import { collect } from '../input.ts';
import { printJson, printLine } from '../output.ts';
import { untilStopSignal } from '../stop-signal.ts';

const serveOptions = z.object({
  host: z.string().min(1).max(255),
  port: z.coerce.number().int().min(0).max(65_535),
  static: z.string().optional(),
  allowOrigin: z.array(z.string().url()),
  allowHost: z.array(z.string().min(1)),
  worker: z.boolean(),
});

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('serve the OpenAI-compatible API (/v1), the jobs API (/api) and the studio; loopback only unless API keys exist')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0: any free port)', '8787')
    .option('--static <dir>', 'built studio to serve (default: dist/web when it exists)')
    .option('--allow-origin <origin>', 'another origin whose pages may call a loopback server (repeatable)', collect, [])
    .option('--allow-host <host:port>', 'another Host header a loopback server answers to (repeatable)', collect, [])
    .option('--no-worker', 'with a shared queue (config "queue"): only accept jobs, run none (workers run them)')
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOrThrow(serveOptions, raw, 'options');
      // A server that runs jobs warms the speech runner and the signer, so its first job is not the slow one.
      const shenbi = await ctx.open({ runsJobs: options.worker, warm: options.worker && warmUpWanted() });
      const staticDir = options.static ?? (existsSync(resolve('dist/web/index.html')) ? resolve('dist/web') : undefined);
      // The HTTP server and its routes load only for `serve`.
      const { startServer } = await import('../../server/start.ts');
      const running = await startServer(shenbi, {
        host: options.host,
        port: options.port,
        allowedOrigins: options.allowOrigin,
        allowedHosts: options.allowHost,
        ...(staticDir === undefined ? {} : { staticDir }),
      });
      if (ctx.output.json) printJson({ url: running.url, loopback: running.server.loopback, staticDir: staticDir ?? null });
      else {
        printLine(`Shenbi listening on ${running.url}${running.server.loopback ? ' (loopback only)' : ''}`);
        printLine(`  OpenAI-compatible: ${running.url}/v1   jobs API: ${running.url}/api   OpenAPI: ${running.url}/api/openapi.json`);
        if (staticDir !== undefined) printLine(`  studio: ${running.url}/`);
      }
      await untilStopSignal();
      await running.close();
    });
}
