import { nowSeconds } from './process-stats.ts';

/** What the load generator saw: requests by route and status, jobs, SSE streams, and every unexpected thing. */
export interface SoakCounts {
  /** "POST /api/jobs" → { "202": 31, "500": 1 }; network failures count under "network". */
  requests: Record<string, Record<string, number>>;
  jobs: {
    submitted: number;
    completed: number;
    failed: number;
    /** Cancelled by the soak: in flight when the drain ran out (expected), or overdue (also listed as an error). */
    cancelledBySoak: number;
    /** Failure codes of failed jobs (every one of them is also an unexpected error). */
    failureCodes: Record<string, number>;
    /** Completed jobs by kind, and their durations from submit to the final event (ms). */
    byKind: Record<string, { submitted: number; completed: number; durationsMs: number[] }>;
  };
  sse: {
    opened: number;
    /** Ended with a final `result` or `error` event. */
    endedProperly: number;
    /** The server closed the stream before a final event. */
    endedEarly: number;
    /** Still open when the end grace ran out; aborted by the soak. */
    hung: number;
    events: number;
  };
  chats: { completed: number; streamed: number; tokens: number };
  uploads: { bytes: number; count: number };
  artifactBytes: number;
}

export interface UnexpectedError {
  /** Unix seconds (the report makes it relative to the start of the load). */
  at: number;
  where: string;
  message: string;
}

const MAX_LISTED = 200;

export class SoakRecorder {
  readonly counts: SoakCounts = {
    requests: {},
    jobs: { submitted: 0, completed: 0, failed: 0, cancelledBySoak: 0, failureCodes: {}, byKind: {} },
    sse: { opened: 0, endedProperly: 0, endedEarly: 0, hung: 0, events: 0 },
    chats: { completed: 0, streamed: 0, tokens: 0 },
    uploads: { bytes: 0, count: 0 },
    artifactBytes: 0,
  };
  readonly unexpected: UnexpectedError[] = [];
  unexpectedTotal = 0;

  request(route: string, status: number | 'network'): void {
    const byStatus = (this.counts.requests[route] ??= {});
    byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
  }

  /** Something that should not happen on a healthy server: listed in the report, fails the run. */
  error(where: string, message: string, at = nowSeconds()): void {
    this.unexpectedTotal++;
    if (this.unexpected.length < MAX_LISTED) this.unexpected.push({ at, where, message: message.slice(0, 500) });
  }

  kind(kind: string): SoakCounts['jobs']['byKind'][string] {
    return (this.counts.jobs.byKind[kind] ??= { submitted: 0, completed: 0, durationsMs: [] });
  }
}
