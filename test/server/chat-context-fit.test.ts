import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseSse, startTestServer, type TestServer } from './helpers.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

type Message = { role: 'system' | 'user' | 'assistant'; content: string };
const LONG = 'Once upon a time there was a little cat who liked to play in the garden with her friends. '.repeat(6);

async function chat(body: Record<string, unknown>): Promise<Response> {
  return fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'stories260k', temperature: 0, ...body }) });
}

function conversation(turns: number): Message[] {
  const messages: Message[] = [{ role: 'system', content: 'You tell short stories.' }];
  for (let i = 0; i < turns; i++) messages.push({ role: 'user', content: `Turn ${i}. ${LONG}` }, { role: 'assistant', content: LONG });
  messages.push({ role: 'user', content: 'And then?' });
  return messages;
}

test('a conversation past the context: refused like OpenAI by default, answered with shenbi.truncate "oldest"', async () => {
  const messages = conversation(30);
  const refused = await chat({ messages, max_tokens: 64 });
  assert.equal(refused.status, 400);
  const error = ((await refused.json()) as { error: { code: string } }).error;
  assert.equal(error.code, 'CONTEXT_OVERFLOW');

  const answered = await chat({ messages, max_tokens: 64, shenbi: { truncate: 'oldest' } });
  assert.equal(answered.status, 200, await answered.clone().text());
  const body = (await answered.json()) as { choices: { message: { content: string } }[]; usage: { prompt_tokens: number }; shenbi: { dropped_messages: number; context_tokens: number } };
  assert.ok(body.choices[0]!.message.content.length > 0);
  assert.equal(body.shenbi.context_tokens, 2048);
  assert.ok(body.shenbi.dropped_messages > 0 && body.shenbi.dropped_messages < messages.length - 2, JSON.stringify(body.shenbi));
  assert.ok(body.usage.prompt_tokens + 64 < 2048);

  // A plain request carries no `shenbi` field: the default response is OpenAI's shape.
  const plain = (await (await chat({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 8 })).json()) as Record<string, unknown>;
  assert.equal(plain.shenbi, undefined);

  const badOption = await chat({ messages, shenbi: { truncate: 'middle' } });
  assert.equal(badOption.status, 400);
  assert.equal(((await badOption.json()) as { error: { code: string } }).error.code, 'INVALID_INPUT');
});

test("the studio's way of chatting (streamed, max_tokens, truncate) keeps answering turn after turn", async () => {
  const history: Message[] = [{ role: 'system', content: 'You tell short stories.' }];
  let dropped = 0;
  for (let turn = 0; turn < 8; turn++) {
    history.push({ role: 'user', content: `Turn ${turn}. ${LONG}${LONG}` });
    const r = await chat({ messages: history, max_tokens: 120, stream: true, shenbi: { truncate: 'oldest' } });
    assert.equal(r.status, 200, `turn ${turn}: ${await r.clone().text()}`);
    let reply = '';
    for (const event of parseSse(await r.text())) {
      if (event.data === '[DONE]') break;
      const chunk = JSON.parse(event.data) as { error?: unknown; choices: { delta: { content?: string } }[]; shenbi?: { dropped_messages: number } };
      assert.equal(chunk.error, undefined, `turn ${turn}: ${event.data}`);
      reply += chunk.choices[0]?.delta.content ?? '';
      if (chunk.shenbi) dropped = chunk.shenbi.dropped_messages;
    }
    assert.ok(reply.length > 0, `turn ${turn} answered nothing`);
    history.push({ role: 'assistant', content: reply });
  }
  // The history outgrew the context on the way, and the server left the oldest turns out.
  assert.ok(dropped > 0, 'the last turns needed truncation');
});

test('if the last message alone does not fit, CONTEXT_OVERFLOW with a hint even with truncation', async () => {
  const r = await chat({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: LONG.repeat(20) }], max_tokens: 64, shenbi: { truncate: 'oldest' } });
  assert.equal(r.status, 400);
  const error = ((await r.json()) as { error: { code: string; hint?: string } }).error;
  assert.equal(error.code, 'CONTEXT_OVERFLOW');
  assert.match(error.hint ?? '', /last message alone/);
});
