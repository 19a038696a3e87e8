import cliProgress from 'cli-progress';
import type { JobEvent } from '../core/progress.ts';
import { formatDuration } from './output.ts';

/** Something that consumes a job's events and shows them; `close` is called once at the end. */
export interface ProgressView {
  onEvent(event: JobEvent): void;
  close(): void;
}

/**
 * Picks the view: bars on an interactive terminal, one line per step otherwise (logs, CI),
 * nothing with --json or --quiet (the result is printed at the end).
 */
export function createProgressView(options: { json: boolean; quiet: boolean }): ProgressView {
  if (options.json || options.quiet) return { onEvent() {}, close() {} };
  return process.stderr.isTTY ? new BarView() : new LineView();
}

class LineView implements ProgressView {
  onEvent(event: JobEvent): void {
    const line = describe(event);
    if (line !== null) process.stderr.write(`${line}\n`);
  }
  close(): void {}
}

function describe(event: JobEvent): string | null {
  switch (event.type) {
    case 'job.started':
      return `${event.jobId}: started (${event.steps.length} ${event.steps.length === 1 ? 'step' : 'steps'})`;
    case 'step.started':
      return `  ${event.stepId}: running${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`;
    case 'step.retry':
      return `  ${event.stepId}: ${event.code} — retrying in ${formatDuration(event.delayMs)}`;
    case 'step.completed':
      return `  ${event.stepId}: ${event.cached ? 'cached' : `done in ${formatDuration(event.durationMs)}`}`;
    case 'job.completed':
      return `${event.jobId}: completed`;
    case 'job.failed':
      return `${event.jobId}: failed [${event.code}] ${event.message}`;
    case 'job.cancelled':
      return `${event.jobId}: cancelled`;
    case 'step.progress':
      return null;
    case 'step.partial':
      return `  ${event.stepId}: ${event.output}[${event.index}] ${event.artifactId}${event.text === null ? '' : ` ${event.text}`}`;
  }
}

class BarView implements ProgressView {
  private readonly bars = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: ' {bar} {percentage}% | {step} {message}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  private readonly byStep = new Map<string, cliProgress.SingleBar>();

  private bar(stepId: string): cliProgress.SingleBar {
    let bar = this.byStep.get(stepId);
    if (bar === undefined) {
      bar = this.bars.create(100, 0, { step: stepId.padEnd(12), message: '' });
      this.byStep.set(stepId, bar);
    }
    return bar;
  }

  onEvent(event: JobEvent): void {
    switch (event.type) {
      case 'step.started':
        this.bar(event.stepId).update(0, { message: event.attempt > 1 ? `attempt ${event.attempt}` : 'running' });
        break;
      case 'step.progress': {
        const eta = event.etaMs === null ? '' : ` · ETA ${formatDuration(event.etaMs)}`;
        this.bar(event.stepId).update(Math.round((event.fraction ?? 0) * 100), { message: `${event.message ?? ''}${eta}` });
        break;
      }
      case 'step.retry':
        this.bar(event.stepId).update({ message: `${event.code}: retry in ${formatDuration(event.delayMs)}` });
        break;
      case 'step.completed':
        this.bar(event.stepId).update(100, { message: event.cached ? 'cached' : formatDuration(event.durationMs) });
        break;
      default:
        break;
    }
  }

  close(): void {
    this.bars.stop();
  }
}
