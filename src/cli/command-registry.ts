/**
 * The `shenbi` commands, each loaded only when needed: `shenbi tasks list` loads the tasks
 * command alone, `--version` none, and only `--help` (or a word that is no command, so
 * Commander can list or suggest them) loads them all. Command modules import their engines
 * inside their actions, so registering a command stays cheap.
 */
import type { Command } from 'commander';
import type { CliContext } from './context.ts';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

interface CommandEntry {
  /** The top-level word, as the module registers it. */
  readonly name: string;
  readonly load: () => Promise<RegisterCommand>;
}

/** In `--help` order. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'generate', load: async () => (await import('./commands/generate.ts')).registerGenerate },
  { name: 'run', load: async () => (await import('./commands/run.ts')).registerRun },
  { name: 'tasks', load: async () => (await import('./commands/tasks.ts')).registerTasks },
  { name: 'pipelines', load: async () => (await import('./commands/pipelines.ts')).registerPipelines },
  { name: 'jobs', load: async () => (await import('./commands/jobs.ts')).registerJobs },
  { name: 'artifacts', load: async () => (await import('./commands/artifacts.ts')).registerArtifacts },
  { name: 'verify', load: async () => (await import('./commands/verify.ts')).registerVerify },
  { name: 'ledger', load: async () => (await import('./commands/ledger.ts')).registerLedger },
  { name: 'gc', load: async () => (await import('./commands/gc.ts')).registerGc },
  { name: 'models', load: async () => (await import('./commands/models.ts')).registerModels },
  { name: 'npc', load: async () => (await import('./commands/npc.ts')).registerNpc },
  { name: 'serve', load: async () => (await import('./commands/serve.ts')).registerServe },
  { name: 'worker', load: async () => (await import('./commands/worker.ts')).registerWorker },
  { name: 'apikeys', load: async () => (await import('./commands/apikeys.ts')).registerApiKeys },
  { name: 'keys', load: async () => (await import('./commands/keys.ts')).registerKeys },
];

/** Global options that take a value (`--home DIR`): their value is not the command word. */
const OPTIONS_WITH_VALUE = new Set(['--home', '--config']);
const VERSION_FLAGS = new Set(['-V', '--version']);

/**
 * The commands `argv` needs: the one it names; none when it only asks for the version;
 * else every command (`--help`, no arguments, a mistyped command).
 */
export async function commandsFor(argv: readonly string[] | undefined): Promise<RegisterCommand[]> {
  const word = argv === undefined ? undefined : commandWord(argv);
  const named = COMMANDS.find((entry) => entry.name === word);
  if (named !== undefined) return [await named.load()];
  if (word === undefined && argv?.some((arg) => VERSION_FLAGS.has(arg)) === true) return [];
  return Promise.all(COMMANDS.map((entry) => entry.load()));
}

/** The first argument that is neither a global option nor an option's value. */
function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return argv[i + 1];
    if (!arg.startsWith('-')) return arg;
    if (OPTIONS_WITH_VALUE.has(arg)) i++;
  }
  return undefined;
}
