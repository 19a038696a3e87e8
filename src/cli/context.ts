import type { Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import type { ShenbiConfig } from '../config/schema.ts';
import { Shenbi } from '../shenbi.ts';
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
  config(): ShenbiConfig {
    const { home, config } = this.options;
    return loadConfig({ ...(config === undefined ? {} : { configPath: config }), ...(home === undefined ? {} : { overrides: { home } }) });
  }

  async open(): Promise<Shenbi> {
    if (this.shenbi === undefined) {
      const { home, config } = this.options;
      this.shenbi = await Shenbi.open({
        ...(config === undefined ? {} : { configPath: config }),
        ...(home === undefined ? {} : { overrides: { home } }),
      });
    }
    return this.shenbi;
  }

  async close(): Promise<void> {
    await this.shenbi?.close();
    this.shenbi = undefined;
  }
}
