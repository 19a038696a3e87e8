import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { TESTDATA } from '../helpers/testdata.ts';

interface GenerateJson {
  job: { status: string; outputs: Record<string, unknown> };
  artifacts: { id: string; path: string; name?: string; mimeType?: string; provenance: { model: { name: string; sha256: string } | null; engine: { id: string } } }[];
}

let home: string;
before(() => {
  home = mkdtempSync(join(tmpdir(), 'shenbi-text-cli-'));
});
after(() => rmSync(home, { recursive: true, force: true }));

test('generate text without the default model installed names the pull command', async () => {
  const r = await runCli(['generate', 'text', 'Once upon a time'], { home });
  assert.equal(r.status, 3);
  assert.match(r.stderr, /error\[MODEL_NOT_INSTALLED\]/);
  assert.match(r.stderr, /hint: shenbi models pull qwen2.5-0.5b-instruct/);
});

test('generate text, code and science run real inference on an imported GGUF model; science writes a typeset HTML page', async () => {
  const imported = await runCli(['models', 'import', join(TESTDATA, 'stories260K.gguf'), '--name', 'stories260k'], { home });
  // The toy model stands in for the default (Qwen2.5 0.5B), which CI cannot download.
  const env = { SHENBI_TEXT_MODEL: 'stories260k' };
  assert.equal(imported.status, 0, imported.stderr);

  const args = ['--json', 'generate', 'text', 'Once upon a time', '--set', 'temperature=0', '--set', 'maxTokens=32', '--set', 'mode=complete'];
  const first = await runCli(args, { home, env });
  assert.equal(first.status, 0, first.stderr);
  const out = JSON.parse(first.stdout) as GenerateJson;
  assert.equal(out.job.status, 'completed');
  const text = String(out.job.outputs.text);
  assert.ok(text.trim().length > 20, text);
  const [document] = out.artifacts;
  assert.ok(document);
  // Stored as Markdown: the implicit label in front matter, the visible notice, then the text as printed.
  const stored = readFileSync(document.path, 'utf8');
  assert.match(stored, /^---\nAIGC:\n[\s\S]*?\n---\n> 本内容由人工智能生成 \(AI-generated\)\n\n/);
  assert.ok(stored.endsWith(text), 'the generated text follows the labels unchanged');
  assert.equal(document.provenance.engine.id, 'llama-cpp');
  assert.deepEqual(document.provenance.model, { name: 'stories260k', sha256: '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d' });
  // Greedy and deterministic: a different seed changes nothing, and it is not served from the cache.
  const again = await runCli([...args, '--set', 'seed=9'], { home, env });
  assert.equal((JSON.parse(again.stdout) as GenerateJson).job.outputs.text, text);

  const code = await runCli(['--json', 'generate', 'code', 'add two numbers', '--set', 'samples=2', '--input', '{"examples":[{"input":[1,2],"output":3}]}'], { home, env });
  assert.equal(code.status, 0, code.stderr);
  const codeOut = JSON.parse(code.stdout) as GenerateJson;
  assert.equal(codeOut.job.outputs.total, 1);
  assert.equal(typeof codeOut.job.outputs.passed, 'number');

  const science = await runCli(['--json', 'generate', 'science', 'What is 1+1?', '--set', 'check=2'], { home, env });
  assert.equal(science.status, 0, science.stderr);
  const scienceOut = JSON.parse(science.stdout) as GenerateJson;
  // A toy story model cannot do arithmetic: the checker must say so, not pass it.
  assert.notEqual(scienceOut.job.outputs.status, 'verified');
  const page = scienceOut.artifacts.find((a) => a.mimeType?.startsWith('text/html'));
  assert.ok(page, 'an HTML page artifact');
  assert.match(readFileSync(page.path, 'utf8'), /<math xmlns=/);
});

test('prompt expansion gives exactly N descriptions', async () => {
  const env = { SHENBI_TEXT_MODEL: 'stories260k' };
  const r = await runCli(['--json', 'generate', 'text', 'a cat on a roof', '--set', 'mode=expand', '--set', 'count=3', '--set', 'target=image', '--set', 'seed=1'], { home, env });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as GenerateJson;
  const descriptions = out.job.outputs.descriptions as string[];
  assert.equal(descriptions.length, 3);
  for (const d of descriptions) assert.ok(typeof d === 'string' && d.length > 0);
  const [document] = out.artifacts;
  assert.deepEqual(JSON.parse(readFileSync(document!.path, 'utf8')).descriptions, descriptions);
});
