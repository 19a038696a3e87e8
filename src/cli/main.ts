import { Command, CommanderError } from 'commander';
import { ERROR_CODES } from '../core/errors.ts';
import { commandsFor } from './command-registry.ts';
import { CliContext } from './context.ts';
import { reportError } from './output.ts';
import { VERSION } from '../version.ts';

/**
 * The AI SDK prints model warnings (an unsupported setting, …) with console.info/warn, which
 * lands on stdout and would corrupt `--json`. The CLI sends them to stderr instead.
 */
function routeSdkWarningsToStderr(): void {
  (globalThis as { AI_SDK_LOG_WARNINGS?: unknown }).AI_SDK_LOG_WARNINGS = (options: { warnings: unknown[]; provider?: string; model?: string }) => {
    for (const warning of options.warnings) process.stderr.write(`warning (${options.provider ?? 'model'} ${options.model ?? ''}): ${JSON.stringify(warning)}\n`);
  };
}

/**
 * Builds the `shenbi` command with the commands `argv` needs (all of them without `argv`);
 * exported so tests can drive it in-process.
 */
export async function buildProgram(argv?: readonly string[]): Promise<{ program: Command; ctx: CliContext }> {
  routeSdkWarningsToStderr();
  const program = new Command('shenbi');
  const ctx = new CliContext(program);
  program
    .description('Shenbi 神笔 — AIGC studio and engine: text, code, images, speech, music, video, 3D and motion, every output labeled.')
    .version(VERSION, '-V, --version')
    .option('--json', 'machine-readable output on stdout')
    .option('-q, --quiet', 'no progress output')
    .option('--home <dir>', 'data directory (default $SHENBI_HOME or ~/.shenbi)')
    .option('--config <file>', 'config file (default $SHENBI_HOME/config.json)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of await commandsFor(argv)) register(program, ctx);
  return { program, ctx };
}

/** Runs the CLI and returns the exit status; errors print their stable code. */
export async function main(argv: string[]): Promise<number> {
  const { program, ctx } = await buildProgram(argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitStatus;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end by "throwing" exit code 0.
      return error.exitCode === 0 ? 0 : ERROR_CODES.INVALID_INPUT.exit;
    }
    return reportError(error, ctx.output);
  } finally {
    await ctx.close().catch(() => {});
  }
}
