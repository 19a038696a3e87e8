import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { TASK_KINDS } from '../../src/core/task-kinds.ts';
import { TASKS, getTask, parseTaskInput } from '../../src/tasks/index.ts';

test('every task kind has a definition whose primary field alone is a valid input', () => {
  const samples: Record<string, unknown> = { prompt: 'a red lantern', question: '1+1', image: 'art_x', text: '你好', audio: 'a.wav', lyrics: '新年快乐' };
  for (const kind of TASK_KINDS) {
    const task = TASKS[kind];
    assert.equal(task.kind, kind);
    assert.ok(task.outputs.length > 0);
    // Inputs a kind cannot do without besides its primary field (code is tested against examples).
    const required: Record<string, Record<string, unknown>> = { code: { examples: [{ input: [2, 3], output: 5 }] } };
    const input = parseTaskInput(kind, { [task.primaryField]: samples[task.primaryField], ...required[kind] });
    assert.equal(input[task.primaryField], samples[task.primaryField]);
  }
});

test('defaults are applied', () => {
  const image = parseTaskInput('image', { prompt: 'x' });
  assert.equal(image.width, undefined, 'each image engine picks its own default size');
  assert.equal(image.format, 'png');
  assert.equal(parseTaskInput('text', { prompt: 'x' }).mode, 'chat');
});

test('an unknown task is UNKNOWN_TASK and lists the known ones', () => {
  assert.throws(
    () => getTask('telepathy'),
    (error: unknown) => error instanceof ShenbiError && error.code === 'UNKNOWN_TASK' && error.message.includes('motion'),
  );
});

test('invalid input is INVALID_INPUT with every bad path', () => {
  assert.throws(
    () => parseTaskInput('image', { prompt: '', width: 100, seed: 'x', extra: true }),
    (error: unknown) => {
      assert.ok(error instanceof ShenbiError);
      assert.equal(error.code, 'INVALID_INPUT');
      const paths = (error.details?.issues as { path: string }[]).map((i) => i.path).sort();
      assert.deepEqual(paths, ['(root)', 'prompt', 'seed', 'width']);
      assert.match(error.message, /input\.width: must be a multiple of 8/);
      return true;
    },
  );
  assert.throws(() => parseTaskInput('music', {}), /give lyrics, a prompt \(the wish\) to write them from, or a midi file/);
  assert.throws(() => parseTaskInput('vision', { image: 'a.png', mode: 'question' }), /needs a question/);
});
