import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Provenance } from '../../src/core/provenance.ts';
import { implicitLabelPayloadFor, type ImplicitLabelPayload } from '../../src/governance/implicit/index.ts';

export const run = promisify(execFile);

export const AIGC_KEYS = ['Label', 'ContentProducer', 'ProduceID', 'ReservedCode1', 'ContentPropagator', 'PropagateID', 'ReservedCode2'];
export const PRODUCER = '001191110102MACQD9K64010000';

export const provenance: Provenance = {
  task: 'image',
  inputs: { prompt: 'a cat' },
  engine: { id: 'test-engine', version: '1.0.0' },
  model: { name: 'sd-turbo', sha256: 'a'.repeat(64) },
  parameters: { steps: 4, size: { w: 64, h: 64 } },
  seed: 42,
  parents: [],
  timings: { startedAt: '2025-01-01T00:00:00Z', finishedAt: '2025-01-01T00:00:01Z', durationMs: 1000 },
};

export const payloadFor = (id: string): ImplicitLabelPayload => implicitLabelPayloadFor(id, PRODUCER, provenance);

/** What an independent tool printed, checked as labeling.md §4's jq one-liner does. */
export function assertAigcJson(text: string | undefined, produceId: string, where: string): void {
  assert.ok(text !== undefined && text !== '', `${where}: no AIGC value`);
  const parsed = JSON.parse(text.replace(/\0+$/, '')) as Record<string, unknown>;
  const label = (Object.keys(parsed).length === 1 && 'AIGC' in parsed ? parsed.AIGC : parsed) as Record<string, unknown>;
  assert.deepEqual(Object.keys(label), AIGC_KEYS, `${where}: the seven keys in order`);
  for (const [k, v] of Object.entries(label)) assert.match(String(v), /^[\x21\x23-\x5B\x5D-\x7E]*$/, `${where}: ${k} printable ASCII`);
  assert.ok(Object.values(label).every((v) => typeof v === 'string'), `${where}: string values`);
  assert.equal(label.Label, '1');
  assert.equal(label.ProduceID, produceId, `${where}: ProduceID`);
  assert.equal(label.PropagateID, produceId, `${where}: first write: PropagateID = ProduceID`);
  assert.equal(label.ContentProducer, PRODUCER);
  assert.equal(label.ContentPropagator, PRODUCER);
}

/** exiftool -j -G1 -struct on several files in one run (one Perl start). */
export async function exiftoolJson(paths: string[], extra: string[] = []): Promise<Record<string, Record<string, unknown>>> {
  const { stdout } = await run('exiftool', ['-j', '-G1', '-struct', ...extra, ...paths], { maxBuffer: 16 << 20 });
  const rows = JSON.parse(stdout) as Record<string, unknown>[];
  return Object.fromEntries(rows.map((r) => [String(r.SourceFile), r]));
}

/** Values of every exiftool tag whose name (after the group) is `AIGC` in any case. */
export function exifAigcTags(row: Record<string, unknown>): [string, unknown][] {
  return Object.entries(row).filter(([k]) => /(^|:)aigc$/i.test(k));
}

/**
 * labeling.md §4.1's "one label per file" check, `exiftool -a -s -G1 f | grep -ci aigc`, per
 * file: tag lines (duplicates included) whose name or value mentions AIGC.
 */
export async function exiftoolAigcLines(paths: string[]): Promise<Map<string, string[]>> {
  const { stdout } = await run('exiftool', ['-a', '-s', '-G1', '-U', ...paths], { maxBuffer: 16 << 20 });
  const out = new Map<string, string[]>();
  let current = paths[0]!;
  for (const line of stdout.split('\n')) {
    const file = /^======== (.*)$/.exec(line);
    if (file !== null) current = file[1]!;
    else if (/aigc/i.test(line)) out.set(current, [...(out.get(current) ?? []), line]);
  }
  return out;
}

export async function ffprobeTags(path: string): Promise<Record<string, string>> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path]);
  const json = JSON.parse(stdout) as { format?: { tags?: Record<string, string> }; streams?: { tags?: Record<string, string> }[] };
  const tags: Record<string, string> = {};
  for (const t of [json.format?.tags ?? {}, ...(json.streams ?? []).map((s) => s.tags ?? {})]) {
    for (const [k, v] of Object.entries(t)) {
      const key = k.toUpperCase();
      assert.ok(!(key === 'AIGC' && key in tags && tags[key] !== v), 'ffprobe sees one AIGC value');
      tags[key] = v;
    }
  }
  return tags;
}

/** ffmpeg decodes every stream to the end without a single error line. */
export async function assertDecodes(path: string): Promise<void> {
  const { stderr } = await run('ffmpeg', ['-v', 'error', '-nostdin', '-i', path, '-f', 'null', '-']);
  assert.equal(stderr.trim(), '', `${path} decodes cleanly`);
}
