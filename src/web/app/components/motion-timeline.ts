/** One bar of the timeline: an action from its start to start + duration, on the full-body or upper-body row. */
export interface TimelineBar {
  action: string;
  start: number;
  duration: number;
  layer: 'full' | 'upper';
  text: string | null;
}

/** UPPER_BODY_ACTIONS in src/engines/motion/action-plan.ts: the default layer when a plan leaves it out. */
const UPPER_BODY = new Set(['wave', 'clap', 'point', 'nod', 'shake_head', 'punch', 'throw', 'look_around']);

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);
const record = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/**
 * The bars of a motion's timeline, read defensively (the studio shows what it can): a resolved
 * `timeline` (start and duration per action, as the synthesiser reports it) when there is one,
 * else the plan's `actions`, timed as action-plan.ts says: a full-body action starts when the
 * previous one ends, an upper-body one with the previous action, unless `start` is given.
 * `timed` is false when some action has no duration: those bars get `fallbackDuration`, and
 * the view shows the order only, not a time scale it does not know.
 */
export function readTimeline(value: unknown, fallbackDuration = 1): { bars: TimelineBar[]; timed: boolean } {
  const body = record(value);
  if (!body) return { bars: [], timed: false };
  const plan = record(body.plan) ?? body;
  const planned = (Array.isArray(plan.actions) ? plan.actions : []).map(record);
  const resolved = Array.isArray(body.timeline) ? body.timeline : null;
  const entries = resolved ?? planned;
  const bars: TimelineBar[] = [];
  const used = new Set<number>();
  let timed = true;
  let cursor = 0;
  let previousStart = 0;
  for (const entry of entries) {
    const item = record(entry);
    if (!item || typeof item.action !== 'string') continue;
    const layer = item.layer === 'upper' || item.layer === 'full' ? item.layer : UPPER_BODY.has(item.action) ? 'upper' : 'full';
    const known = num(item.duration);
    if (known === null) timed = false;
    const duration = known ?? fallbackDuration;
    const start = num(item.start) ?? (layer === 'upper' ? previousStart : cursor);
    // A resolved timeline may insert actions (idles between, a stand-up): the words come from the next planned action of that name.
    const source = resolved ? planned.findIndex((a, i) => !used.has(i) && a?.action === item.action) : -1;
    if (source >= 0) used.add(source);
    const words = resolved ? planned[source]?.text : item.text;
    bars.push({ action: item.action, start, duration, layer, text: typeof words === 'string' ? words : null });
    if (layer === 'full') cursor = Math.max(cursor, start + duration);
    previousStart = start;
  }
  return { bars, timed: bars.length > 0 && timed };
}
