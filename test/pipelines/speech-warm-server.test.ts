/**
 * What a server warms at startup so its first speech job is served like the later ones: the
 * eSpeak runner (EspeakEngine.warmUp) and the label signer (governancePolicy's warmUp).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import type { Provenance } from '../../src/core/provenance.ts';
import { ShenbiError } from '../../src/core/errors.ts';
import { createEspeakEngine } from '../../src/engines/espeak/index.ts';
import { KEY_FILES } from '../../src/governance/c2pa/keys.ts';
import { Moderator } from '../../src/governance/moderation/index.ts';
import { governancePolicy } from '../../src/governance/policy.ts';
import { encodeWav } from '../../src/media/audio/wav.ts';

const engine = createEspeakEngine({ idleTimeoutMs: 2000 });
const homes: string[] = [];
after(async () => {
  await engine.close();
  for (const home of homes) await rm(home, { recursive: true, force: true });
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ShenbiError, String(error));
    return error.code;
  }
  assert.fail('expected a ShenbiError');
}

test('warmUp starts the runner before any request, and that runner serves the next synthesis', async () => {
  assert.equal(engine.runnerPid, undefined);
  await engine.warmUp({ languages: ['en'] });
  const pid = engine.runnerPid;
  assert.ok(pid !== undefined, 'the runner runs after warmUp');
  const result = await engine.synthesize({ text: 'Warm already.' });
  assert.ok(result.audio.samples.length > 0);
  assert.equal(engine.runnerPid, pid, 'the warmed runner, not a new one');
});

test('warmUp keeps the stable codes: an unknown language, a cancelled warm-up', async () => {
  assert.equal(await codeOf(engine.warmUp({ languages: ['xx-nowhere'] })), 'UNSUPPORTED_LANGUAGE');
  const cancelled = new AbortController();
  cancelled.abort();
  assert.equal(await codeOf(engine.warmUp({ signal: cancelled.signal })), 'JOB_CANCELLED');
  assert.ok((await engine.synthesize({ text: '还在。' })).audio.samples.length > 0);
});

function provenance(): Provenance {
  const now = new Date().toISOString();
  return {
    task: 'speech',
    inputs: {},
    engine: { id: 'espeak-ng', version: 'test' },
    model: null,
    parameters: {},
    seed: null,
    parents: [],
    timings: { startedAt: now, finishedAt: now, durationMs: 0 },
  } as unknown as Provenance;
}

test('governancePolicy warmUp prepares the signer in the background; the first labelled WAV is signed', async () => {
  const home = await mkdtemp(join(tmpdir(), 'shenbi-warm-policy-'));
  homes.push(home);
  const config = loadConfig({ overrides: { home } });
  assert.ok(config.c2pa.enabled);
  let keysCreated!: () => void;
  const created = new Promise<void>((resolve) => (keysCreated = resolve));
  const policy = governancePolicy(config, {
    moderator: new Moderator(config.moderation),
    warmUp: true,
    log: (message) => {
      if (/created local C2PA signing keys/.test(message)) keysCreated();
    },
  });
  // No artifact has been reviewed yet: only the warm-up can have created the keys.
  await created;
  for (const file of Object.values(KEY_FILES)) assert.ok(existsSync(join(config.c2pa.keysDir, file)), `${file} in ${config.c2pa.keysDir}`);
  const wav = encodeWav({ sampleRate: 16000, samples: Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin(i / 5)) }, 1);
  const reviewed = await policy.review({ id: 'art_warm0000000000000000000001', kind: 'audio', mimeType: 'audio/wav', bytes: wav, name: 'speech.wav', provenance: provenance() });
  assert.ok(reviewed.labels.some((label) => label.type === 'c2pa'), JSON.stringify(reviewed.labels.map((label) => label.type)));
});

test('Shenbi.open({ warm: true }) starts the speech runner before any job; without it nothing starts', async () => {
  const { Shenbi } = await import('../../src/shenbi.ts');
  type WithEngines = { engines: { espeak?: { runnerPid: number | undefined } } };
  const runnerOf = (shenbi: object) => (shenbi as unknown as WithEngines).engines.espeak?.runnerPid;
  for (const warm of [true, false]) {
    const home = await mkdtemp(join(tmpdir(), 'shenbi-warm-open-'));
    homes.push(home);
    const shenbi = await Shenbi.open({ overrides: { home }, env: {}, warm });
    try {
      const deadline = Date.now() + 60_000;
      while (warm && runnerOf(shenbi) === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      if (warm) assert.ok(runnerOf(shenbi) !== undefined, 'a warm instance has a speech runner before its first job');
      else assert.equal(runnerOf(shenbi), undefined, 'a cold instance starts the runner with its first speech job');
    } finally {
      await shenbi.close();
    }
  }
});
