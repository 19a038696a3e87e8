import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ShenbiError } from '../../src/core/errors.ts';
import { Moderator } from '../../src/governance/moderation/index.ts';
import { openAIError, sendJson, startFakeServer, type RecordedRequest } from '../helpers/fake-providers.ts';

const CATEGORIES = ['harassment', 'harassment/threatening', 'hate', 'hate/threatening', 'illicit', 'illicit/violent', 'self-harm', 'self-harm/instructions', 'self-harm/intent', 'sexual', 'sexual/minors', 'violence', 'violence/graphic'];

/** OpenAI's moderation response body (omni-moderation), flagging inputs that contain "attack". */
function moderationResponse(req: RecordedRequest): unknown {
  const inputs = Array.isArray(req.body.input) ? (req.body.input as string[]) : [String(req.body.input)];
  return {
    id: 'modr-0123',
    model: 'omni-moderation-2024-09-26',
    results: inputs.map((text) => {
      const violent = /attack/i.test(text);
      return {
        flagged: violent,
        categories: Object.fromEntries(CATEGORIES.map((c) => [c, violent && (c === 'violence' || c === 'illicit/violent')])),
        category_scores: Object.fromEntries(CATEGORIES.map((c) => [c, violent ? (c === 'violence' ? 0.97 : c === 'illicit/violent' ? 0.6 : 0.001) : 0.0001])),
        category_applied_input_types: Object.fromEntries(CATEGORIES.map((c) => [c, ['text']])),
      };
    }),
  };
}

describe('moderation provider (OpenAI-compatible POST /v1/moderations)', () => {
  test('flagged and unflagged inputs; key, model and body on the wire', async () => {
    const server = await startFakeServer((req, res) => sendJson(res, 200, moderationResponse(req)));
    try {
      const moderator = new Moderator(
        { provider: { name: 'openai', baseURL: `${server.baseURL}/v1`, apiKeyEnv: 'TEST_MODERATION_KEY' } },
        { env: { TEST_MODERATION_KEY: 'sk-test' } },
      );
      assert.deepEqual(await moderator.moderate(['a quiet walk in the park']), { allowed: true });
      const verdict = await moderator.moderate(['a poem', 'plan an attack on the station']);
      assert.deepEqual(verdict, { allowed: false, reason: 'moderation.provider', category: 'violence', matched: 'violence,illicit/violent' });
      await assert.rejects(moderator.assertAllowed(['attack!'], 'the prompt'), (e: unknown) => e instanceof ShenbiError && e.code === 'GOVERNANCE_REFUSED' && e.details?.reason === 'moderation.provider');

      const first = server.requests[0];
      assert.equal(first?.method, 'POST');
      assert.equal(first?.url, '/v1/moderations');
      assert.equal(first?.headers.authorization, 'Bearer sk-test');
      assert.deepEqual(first?.body, { model: 'omni-moderation-latest', input: 'a quiet walk in the park' });
      assert.deepEqual(server.requests[1]?.body.input, ['a poem', 'plan an attack on the station']);

      // The term lists run first: a listed term never reaches the provider.
      const before = server.requests.length;
      assert.equal((await moderator.moderate(['儿童色情'])).allowed, false);
      assert.equal(server.requests.length, before);
    } finally {
      await server.close();
    }
  });

  test('down → PROVIDER_UNAVAILABLE when fail-closed, allowed (unchecked) with a warning when fail-open', async () => {
    const server = await startFakeServer((_req, res) => openAIError(res, 503, 'overloaded'));
    const baseURL = `${server.baseURL}/v1`;
    try {
      const closed = new Moderator({ provider: { name: 'selfhosted', baseURL } });
      await assert.rejects(closed.moderate(['hello']), (e: unknown) => {
        assert.ok(e instanceof ShenbiError);
        assert.equal(e.code, 'PROVIDER_UNAVAILABLE');
        assert.match(e.message, /selfhosted.*HTTP 503/);
        return true;
      });
      const warnings: string[] = [];
      const open = new Moderator({ provider: { name: 'selfhosted', baseURL, failClosed: false } }, { warn: (m) => warnings.push(m) });
      assert.deepEqual(await open.moderate(['hello']), { allowed: true, unchecked: true });
      assert.equal(warnings.length, 1);
      assert.equal((await open.moderate(['儿童色情'])).allowed, false, 'the term lists still apply');
    } finally {
      await server.close();
    }
    // Nothing listening at all.
    const gone = new Moderator({ provider: { name: 'selfhosted', baseURL, timeoutMs: 2000 } });
    await assert.rejects(gone.moderate(['hello']), (e: unknown) => e instanceof ShenbiError && e.code === 'PROVIDER_UNAVAILABLE');
  });

  test('a refused key, a missing key and a malformed answer are distinct errors', async () => {
    const server = await startFakeServer((req, res) => (req.headers.authorization === 'Bearer good' ? sendJson(res, 200, { results: [] }) : openAIError(res, 401, 'bad key')));
    try {
      const provider = { name: 'openai', baseURL: `${server.baseURL}/v1`, apiKeyEnv: 'K' };
      await assert.rejects(new Moderator({ provider }, { env: {} }).moderate(['x']), (e: unknown) => e instanceof ShenbiError && e.code === 'PROVIDER_KEY_MISSING');
      await assert.rejects(new Moderator({ provider }, { env: { K: 'bad' } }).moderate(['x']), (e: unknown) => e instanceof ShenbiError && e.code === 'PROVIDER_KEY_MISSING');
      await assert.rejects(new Moderator({ provider }, { env: { K: 'good' } }).moderate(['x']), (e: unknown) => e instanceof ShenbiError && e.code === 'PROVIDER_REJECTED');
      assert.equal(server.requests.length, 2, 'no request without a key');
    } finally {
      await server.close();
    }
  });
});
