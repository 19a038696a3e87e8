import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { MAX_TEXT_CHARS } from '../../src/engines/espeak/espeak-engine.ts';
import { MAX_PIPER_TEXT_CHARS } from '../../src/engines/piper/piper-engine.ts';
import { getTask, parseTaskInput } from '../../src/tasks/index.ts';

/** Issue #17 item 6f: the speech task accepts exactly what the engines synthesise in one call. */

test("the speech schema's text limit is the engines' limit", () => {
  const schema = z.toJSONSchema(getTask('speech').input, { io: 'input', unrepresentable: 'any' }) as unknown as { properties: { text: { maxLength?: number } } };
  assert.equal(schema.properties.text.maxLength, MAX_TEXT_CHARS);
  assert.equal(MAX_PIPER_TEXT_CHARS, MAX_TEXT_CHARS);
});

test('a text one character too long is INVALID_INPUT naming the limit; the limit itself is accepted', () => {
  assert.equal((parseTaskInput('speech', { text: 'a'.repeat(MAX_TEXT_CHARS) }).text as string).length, MAX_TEXT_CHARS);
  assert.throws(
    () => parseTaskInput('speech', { text: 'a'.repeat(MAX_TEXT_CHARS + 1) }),
    (error: Error & { code?: string; details?: { issues?: { path: string }[] } }) =>
      error.code === 'INVALID_INPUT' && error.message.includes(`input.text: at most ${MAX_TEXT_CHARS} characters`) && error.details?.issues?.[0]?.path === 'text',
  );
});
