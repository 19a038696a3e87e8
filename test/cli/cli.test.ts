import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { runCli } from '../helpers/cli.ts';

interface RunJson {
  job: { id: string; status: string; outputs: Record<string, string> };
  artifacts: { id: string; kind: string; mimeType: string; sha256: string; path: string; labels: { type: string; value: Record<string, string> }[] }[];
}

describe('shenbi CLI', () => {
  let home: string;
  before(() => {
    home = mkdtempSync(join(tmpdir(), 'shenbi-cli-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  test('--help lists the commands and exits 0', async () => {
    const r = await runCli(['--help'], { home });
    assert.equal(r.status, 0);
    for (const command of ['generate', 'run', 'jobs', 'artifacts', 'models', 'tasks', 'pipelines']) assert.match(r.stdout, new RegExp(`\\b${command}\\b`));
  });

  test('an unknown command or option is a usage error (exit 2)', async () => {
    const r = await runCli(['paint'], { home });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command/);
  });

  test('an unknown task is UNKNOWN_TASK, exit 2', async () => {
    const r = await runCli(['generate', 'telepathy', 'hello'], { home });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error\[UNKNOWN_TASK\]: Unknown task "telepathy"/m);
  });

  test('invalid task input shows every zod path, exit 2, and --json gives the error object', async () => {
    const r = await runCli(['generate', 'image', 'a lantern', '--set', 'width=100', '--set', 'count=99'], { home });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /error\[INVALID_INPUT\]/);
    assert.match(r.stderr, /input\.width: must be a multiple of 8/);
    assert.match(r.stderr, /input\.count:/);
    const j = await runCli(['--json', 'generate', 'image', 'x', '--set', 'width=100'], { home });
    assert.equal(j.status, 2);
    const body = JSON.parse(j.stdout) as { error: { code: string; details: { issues: { path: string }[] } } };
    assert.equal(body.error.code, 'INVALID_INPUT');
    assert.deepEqual(body.error.details.issues.map((i) => i.path), ['width']);
  });

  // Every task kind has an engine now (motion was the last); a prompt the motion engine cannot read is a usage error that teaches its vocabulary.
  test('a motion prompt with no action in it: INVALID_INPUT (exit 2) listing the vocabulary', async () => {
    const r = await runCli(['generate', 'motion', 'a quiet afternoon'], { home });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /error\[INVALID_INPUT\]/);
    assert.match(r.stderr, /walk.*鞠躬/);
  });

  test('run showcase makes a labeled verse and card; a re-run is served from the cache', async () => {
    const args = ['--json', 'run', 'showcase', '--set', 'recipient=妈妈', '--set', 'wish=身体健康', '--set', 'seed=3'];
    const first = await runCli(args, { home });
    assert.equal(first.status, 0, first.stderr);
    const out = JSON.parse(first.stdout) as RunJson;
    assert.equal(out.job.status, 'completed');
    const verse = out.artifacts.find((a) => a.id === out.job.outputs.verse);
    const card = out.artifacts.find((a) => a.id === out.job.outputs.card);
    assert.ok(verse && card);
    // Implicit label in the front matter, then the visible notice, then the verse.
    assert.match(readFileSync(verse.path, 'utf8'), /^---\nAIGC:\n[\s\S]*\n---\n> 本内容由人工智能生成 \(AI-generated\)\n\n# 致妈妈：身体健康/);
    const png = readFileSync(card.path);
    assert.equal(createHash('sha256').update(png).digest('hex'), card.sha256);
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 1080, 1440]);
    for (const artifact of [verse, card]) {
      const aigc = artifact.labels.find((l) => l.type === 'aigc-implicit');
      assert.ok(aigc, 'every artifact carries the AIGC implicit label');
      assert.deepEqual(Object.keys(aigc.value), ['Label', 'ContentProducer', 'ProduceID', 'ReservedCode1', 'ContentPropagator', 'PropagateID', 'ReservedCode2']);
      assert.match(String(aigc.value.ProduceID), /^pid_[0-9a-f]{32}$/);
    }

    const second = await runCli(args, { home });
    assert.equal(second.status, 0, second.stderr);
    const again = JSON.parse(second.stdout) as RunJson;
    assert.notEqual(again.job.id, out.job.id);
    assert.deepEqual(again.job.outputs, out.job.outputs, 'cached steps hand back the same artifacts');
    const shown = await runCli(['--json', 'jobs', 'show', again.job.id], { home });
    const steps = (JSON.parse(shown.stdout) as { steps: { status: string }[] }).steps;
    assert.deepEqual(steps.map((s) => s.status), ['cached', 'cached']);
  });

  test('artifacts export writes the verified bytes and refuses to overwrite without --force', async () => {
    const list = await runCli(['--json', 'artifacts', 'list', '--kind', 'image'], { home });
    assert.equal(list.status, 0, list.stderr);
    const [image] = JSON.parse(list.stdout) as { id: string; sha256: string }[];
    assert.ok(image);
    const target = join(home, 'out.png');
    const r = await runCli(['artifacts', 'export', image.id, target], { home });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(createHash('sha256').update(readFileSync(target)).digest('hex'), image.sha256);
    const again = await runCli(['artifacts', 'export', image.id, target], { home });
    assert.equal(again.status, 2);
    assert.match(again.stderr, /--force/);
    const missing = await runCli(['artifacts', 'show', 'art_00000000000000000000000000'], { home });
    assert.equal(missing.status, 3);
    assert.match(missing.stderr, /ARTIFACT_NOT_FOUND/);
  });

  test('jobs list and show; an unknown job is JOB_NOT_FOUND, exit 3', async () => {
    const list = await runCli(['--json', 'jobs', 'list'], { home });
    assert.equal(list.status, 0, list.stderr);
    assert.ok((JSON.parse(list.stdout) as unknown[]).length >= 2);
    const r = await runCli(['jobs', 'show', 'job_nope'], { home });
    assert.equal(r.status, 3);
    assert.match(r.stderr, /JOB_NOT_FOUND/);
  });

  test('pipelines: unknown id, and a file with a cycle, are clear errors', async () => {
    const unknown = await runCli(['run', 'nope'], { home });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /UNKNOWN_PIPELINE.*blessing-card/);
    const file = join(home, 'cycle.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'cycle',
        title: 'cycle',
        steps: [
          { id: 'a', uses: 'image.card', with: { title: { $from: 'b.image' } } },
          { id: 'b', uses: 'image.card', with: { title: { $from: 'a.image' } } },
        ],
        outputs: { x: { $from: 'a.image' } },
      }),
    );
    const cyclic = await runCli(['run', file], { home });
    assert.equal(cyclic.status, 2);
    assert.match(cyclic.stderr, /PIPELINE_INVALID/);
    assert.match(cyclic.stderr, /cycle/i);
  });

  test('a broken config file is CONFIG_UNREADABLE or CONFIG_INVALID with the path, and nothing runs', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'shenbi-badcfg-'));
    try {
      writeFileSync(join(bad, 'config.json'), '{ not json');
      const r1 = await runCli(['jobs', 'list'], { home: bad });
      assert.equal(r1.status, 2);
      assert.match(r1.stderr, /CONFIG_UNREADABLE/);
      writeFileSync(join(bad, 'config.json'), JSON.stringify({ threads: 0, colour: 'red' }));
      const r2 = await runCli(['jobs', 'list'], { home: bad });
      assert.equal(r2.status, 2);
      assert.match(r2.stderr, /CONFIG_INVALID/);
      assert.match(r2.stderr, /config\.threads/);
      mkdirSync(join(bad, 'sub'));
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  test('models: an unknown model is MODEL_NOT_FOUND, exit 3', async () => {
    const r = await runCli(['models', 'pull', 'no-such-model'], { home });
    assert.equal(r.status, 3);
    assert.match(r.stderr, /MODEL_NOT_FOUND/);
  });
});
