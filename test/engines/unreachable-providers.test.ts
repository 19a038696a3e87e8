import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateText, streamText } from 'ai';
import { ShenbiError } from '../../src/core/errors.ts';
import type { ProviderConfig } from '../../src/engines/providers/index.ts';
import { startServer, type RunningServer } from '../../src/server/start.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { parseSse } from '../server/helpers.ts';

/** A port on 127.0.0.1 that nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createServer();
    socket.once('error', reject);
    socket.listen(0, '127.0.0.1', () => {
      const { port } = socket.address() as { port: number };
      socket.close(() => resolve(port));
    });
  });
}

const PRESETS = ['ollama', 'vllm', 'lm-studio'] as const;

/**
 * Issue #15 item 11: a self-hosted text provider that is not running must fail with
 * PROVIDER_UNAVAILABLE (retryable, naming its base URL and what to start), never "succeed"
 * with empty text — for plain and streamed calls, the text step, and /v1/chat/completions.
 */
describe('unreachable self-hosted text providers fail loudly', () => {
  let home: string;
  let shenbi: Shenbi;
  let server: RunningServer;
  let baseURL: string;

  before(async () => {
    baseURL = `http://127.0.0.1:${await closedPort()}/v1`;
    home = mkdtempSync(join(tmpdir(), 'shenbi-unreachable-'));
    // The presets themselves, with only the address moved to the closed port.
    const providers: ProviderConfig[] = PRESETS.map((name) => ({ name, kind: 'openai-compatible', baseURL }));
    shenbi = await Shenbi.open({ overrides: { home, providers } });
    server = await startServer(shenbi, { port: 0 });
  });
  after(async () => {
    await server.close();
    await shenbi.close();
    rmSync(home, { recursive: true, force: true });
  });

  const isUnavailable = (preset: string) => (error: unknown) => {
    assert.ok(error instanceof ShenbiError, `a ShenbiError, got ${String(error)}`);
    assert.equal(error.code, 'PROVIDER_UNAVAILABLE');
    assert.equal(error.retryable, true);
    assert.ok(error.message.includes(baseURL), `the message names ${baseURL}: ${error.message}`);
    assert.match(error.message, /ECONNREFUSED/, 'the provider-side reason is kept');
    assert.match(error.hint ?? '', /[Ss]tart/, 'the hint says what to start');
    assert.equal(error.details?.['provider'], preset);
    return true;
  };

  for (const preset of PRESETS) {
    test(`${preset}: generate and stream fail with PROVIDER_UNAVAILABLE`, async () => {
      const { model } = await shenbi.textModels.language(`${preset}:some-model`);
      await assert.rejects(generateText({ model, prompt: 'hello', maxRetries: 0 }), isUnavailable(preset));

      const errors: unknown[] = [];
      const streamed = streamText({ model, prompt: 'hello', maxRetries: 0, onError: ({ error }) => void errors.push(error) });
      const parts: string[] = [];
      for await (const part of streamed.fullStream) parts.push(part.type);
      assert.ok(!parts.includes('text-delta'), 'no text');
      assert.equal(parts.at(-1) === 'finish' && errors.length === 0, false, `the stream must not finish cleanly: ${parts.join(',')}`);
      assert.equal(errors.length, 1);
      isUnavailable(preset)(errors[0]);
    });

    test(`${preset}: a text job fails with the provider's message instead of completing with empty text`, async () => {
      const job = await shenbi.generate('text', { prompt: 'hello', model: `${preset}:some-model` });
      assert.equal(job.status, 'failed', `job ended ${job.status} with outputs ${JSON.stringify(job.outputs)}`);
      assert.equal(job.error?.code, 'PROVIDER_UNAVAILABLE');
      assert.ok(job.error?.message.includes(baseURL), job.error?.message);
      assert.match(job.error?.hint ?? '', /[Ss]tart/);
    });

    test(`${preset}: POST /v1/chat/completions, plain and streamed, answers PROVIDER_UNAVAILABLE`, async () => {
      for (const stream of [false, true]) {
        const r = await fetch(`${server.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: `${preset}:some-model`, messages: [{ role: 'user', content: 'hello' }], stream }),
        });
        const text = await r.text();
        if (r.status === 200) {
          // A stream that had started would have to end with an error event, never a clean completion.
          assert.ok(stream, 'only a stream may answer 200');
          const data = parseSse(text).map((e) => e.data).filter((d) => d !== '[DONE]');
          const last = JSON.parse(data.at(-1) ?? '{}') as { error?: { code?: string; message?: string } };
          assert.equal(last.error?.code, 'PROVIDER_UNAVAILABLE', text);
          assert.ok(last.error?.message?.includes(baseURL));
          continue;
        }
        assert.equal(r.status, 503, text);
        const body = JSON.parse(text) as { error: { code: string; message: string; hint?: string } };
        assert.equal(body.error.code, 'PROVIDER_UNAVAILABLE', `stream=${stream}`);
        assert.ok(body.error.message.includes(baseURL), body.error.message);
        assert.match(body.error.hint ?? '', /[Ss]tart/);
      }
    });
  }
});
