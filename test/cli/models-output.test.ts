// What `shenbi models …` prints for people: a catalog that fits the terminal (CJK counts two
// columns), a voice hint that names a command, "1 step" not "1 steps".
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import stringWidth from 'string-width';
import { z } from 'zod';
import { ShenbiError } from '../../src/core/errors.ts';
import { createEspeakEngine } from '../../src/engines/espeak/index.ts';
import { createProgressView } from '../../src/cli/progress-view.ts';
import { layoutTable } from '../../src/cli/table-layout.ts';
import { BUILTIN_CATALOG, readCatalogFile } from '../../src/models/catalog.ts';
import { runCliInProcess } from '../helpers/in-process-cli.ts';

const home = mkdtempSync(join(tmpdir(), 'shenbi-models-output-'));
after(() => rmSync(home, { recursive: true, force: true }));

function runInProcess(t: TestContext, argv: string[]) {
  return runCliInProcess(t, ['--home', home, ...argv]);
}

test('layoutTable keeps every line within the width, counts CJK as two columns and cuts with an ellipsis', () => {
  const rows = [
    ['神笔马良', '一支神奇的画笔，画什么就变成什么，这是一个很长的描述，需要被截断才能放进终端里。'],
    ['brush', 'A magic brush: whatever it draws becomes real, which is a long description for a narrow terminal.'],
  ];
  for (const maxWidth of [40, 60, 80]) {
    const lines = layoutTable(['NAME', 'DESCRIPTION'], rows, { maxWidth });
    for (const line of lines) assert.ok(stringWidth(line) <= maxWidth, `${stringWidth(line)} > ${maxWidth}: ${line}`);
    assert.ok(lines.some((l) => l.endsWith('…')), lines.join('\n'));
  }
  const wide = layoutTable(['NAME', 'DESCRIPTION'], rows, { maxWidth: 500 });
  assert.equal(wide[1], `神笔马良  ${rows[0]?.[1]}`, 'nothing is cut when it fits');
  assert.equal(wide[2], `brush${' '.repeat(3)}  ${rows[1]?.[1]}`, 'ASCII padded to the CJK name’s 8 columns, then the gap');
});

test('models catalog fits 80 columns when stdout is not a terminal, and names every model', async (t) => {
  const saved = process.env.COLUMNS;
  delete process.env.COLUMNS;
  try {
    const { status, stdout } = await runInProcess(t, ['models', 'catalog']);
    assert.equal(status, 0);
    const lines = stdout.trimEnd().split('\n');
    for (const line of lines) assert.ok(stringWidth(line) <= 80, `${stringWidth(line)} columns: ${line}`);
    for (const entry of await readCatalogFile(BUILTIN_CATALOG)) assert.ok(lines.some((l) => l.startsWith(`${entry.name} `)), `${entry.name} listed`);
  } finally {
    if (saved !== undefined) process.env.COLUMNS = saved;
  }
});

test('an unknown voice names the command that lists voices, and that command lists them', async (t) => {
  const engine = createEspeakEngine();
  try {
    const error = await engine.synthesize({ text: 'hi', voice: 'no-such-voice' }).then(
      () => assert.fail('expected UNKNOWN_VOICE'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ShenbiError && error.code === 'UNKNOWN_VOICE', String(error));
    assert.match(error.hint ?? '', /`shenbi models voices/);
    assert.doesNotMatch(error.hint ?? '', /\(\)/, 'no code function in a user hint');
  } finally {
    await engine.close();
  }
  const { status, stdout } = await runInProcess(t, ['--json', 'models', 'voices', '--language', 'zh']);
  assert.equal(status, 0);
  const voices = z.array(z.object({ id: z.string(), name: z.string(), languages: z.array(z.string()) })).parse(JSON.parse(stdout));
  assert.ok(voices.some((v) => v.id === 'sit/cmn'), stdout);
  assert.ok(voices.every((v) => v.languages.some((l) => l === 'zh' || l.startsWith('zh-'))), 'only Chinese voices');
});

test('the line progress view says "1 step" and "2 steps"', (t) => {
  let stderr = '';
  t.mock.method(process.stderr, 'write', (chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const saved = process.stderr.isTTY;
  process.stderr.isTTY = false;
  try {
    const view = createProgressView({ json: false, quiet: false });
    view.onEvent({ type: 'job.started', jobId: 'job-one', at: 0, steps: ['only'] });
    view.onEvent({ type: 'job.started', jobId: 'job-two', at: 0, steps: ['a', 'b'] });
    view.close();
  } finally {
    process.stderr.isTTY = saved;
    t.mock.restoreAll();
  }
  assert.match(stderr, /job-one: started \(1 step\)\n/);
  assert.match(stderr, /job-two: started \(2 steps\)\n/);
});
