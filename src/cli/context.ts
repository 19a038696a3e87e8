import type { Command } from 'commander';
import type { ShenbiConfig } from '../config/schema.ts';
import type { Shenbi } from '../shenbi.ts';
import type { OutputMode } from './output.ts';

export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  home?: string;
  config?: string;
}

/**
 * What every command gets: how to print, and the engine opened on first use (so `--help`
 * and argument errors never touch the database).
 */
export class CliContext {
  private shenbi: Shenbi | undefined;
  /** What `main` returns when a command ends without an error (e.g. `verify` finding unlabeled files). */
  exitStatus = 0;

  constructor(private readonly program: Command) {}

  get options(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  get output(): OutputMode {
    return { json: this.options.json === true, quiet: this.options.quiet === true };
  }

  /** The resolved configuration, without opening the store (for commands that only need paths). */
  async config(): Promise<ShenbiConfig> {
    // Loaded on use: the config schema (zod) is more than `--version` needs.
    const { loadConfig } = await import('../config/load.ts');
    const { home, config } = this.options;
    return loadConfig({ ...(config === undefined ? {} : { configPath: config }), ...(home === undefined ? {} : { overrides: { home } }) });
  }

  /**
   * `runsJobs`: with a shared queue, this process takes jobs of its worker lanes (`serve`,
   * `worker`); otherwise it only submits (see OpenShenbiOptions). `followsEvents: false`: other
   * processes' job events are not received (a worker). `warm`: start the speech runner
   * and the signer now (long-lived processes that run jobs). The first open decides.
   */
  async open(options: { runsJobs?: boolean; followsEvents?: boolean; warm?: boolean; overrides?: Partial<ShenbiConfig> } = {}): Promise<Shenbi> {
    if (this.shenbi === undefined) {
      const { home, config } = this.options;
      // Loaded here, not at the top: the engine pulls in every engine and the store, which `--help` never needs.
      const { Shenbi } = await import('../shenbi.ts');
      const overrides = { ...options.overrides, ...(home === undefined ? {} : { home }) };
      this.shenbi = await Shenbi.open({
        ...(config === undefined ? {} : { configPath: config }),
        ...(Object.keys(overrides).length === 0 ? {} : { overrides }),
        ...(options.runsJobs === undefined ? {} : { runsJobs: options.runsJobs }),
        ...(options.followsEvents === false ? { followsEvents: false } : {}),
        ...(options.warm === true ? { warm: true } : {}),
      });
    }
    return this.shenbi;
  }

  async close(): Promise<void> {
    await this.shenbi?.close();
    this.shenbi = undefined;
  }
}

/** Whether a long-lived process warms its engines at startup: yes unless SHENBI_WARM_UP=0. */
export function warmUpWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SHENBI_WARM_UP !== '0';
}
