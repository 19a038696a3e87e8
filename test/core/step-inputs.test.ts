import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { artifactInput, inputPorts } from '../../src/core/step-inputs.ts';
import { portValueProblem } from '../../src/jobs/port-values.ts';
import { Shenbi } from '../../src/shenbi.ts';

test('inputPorts derives types, optionality, defaults and descriptions from one zod schema', () => {
  const ports = inputPorts(
    z.object({
      text: z.string().max(10).describe('What to say.'),
      speed: z.number().min(0.25).max(4).default(1),
      seed: z.number().int().min(0).optional(),
      format: z.enum(['wav', 'mp3']).default('wav'),
      loud: z.boolean().default(false),
      lyrics: z.string().transform((s) => s.trim()),
      picture: artifactInput(),
      maybePicture: artifactInput(z.string().min(1)).optional(),
      factor: z.union([z.literal(2), z.literal(4)]).optional(),
      either: z.union([z.string(), z.number()]).optional(),
      box: z.object({ left: z.number() }).optional(),
      list: z.array(z.string()).default([]),
      note: z.string().nullable().optional(),
      anything: z.unknown().optional(),
    }),
  );
  assert.deepEqual(ports, {
    text: { type: 'string', description: 'What to say.' },
    speed: { type: 'number', optional: true, default: 1 },
    seed: { type: 'integer', optional: true },
    // An enum without a description is described by its choices.
    format: { type: 'string', optional: true, default: 'wav', description: 'wav | mp3' },
    loud: { type: 'boolean', optional: true, default: false },
    // A transform is read on its input side.
    lyrics: { type: 'string' },
    picture: { type: 'artifact' },
    maybePicture: { type: 'artifact', optional: true },
    factor: { type: 'integer', optional: true },
    either: { type: 'json', optional: true },
    box: { type: 'json', optional: true },
    list: { type: 'json', optional: true, default: [] },
    note: { type: 'string', optional: true },
    anything: { type: 'json', optional: true },
  });
});

test('every registered step: each port default fits its port type and makes the port optional', async () => {
  const home = await mkdtemp(join(tmpdir(), 'shenbi-step-inputs-'));
  const shenbi = await Shenbi.open({ overrides: { home }, env: {} });
  try {
    const steps = shenbi.steps.list();
    assert.ok(steps.length > 30, `only ${steps.length} steps registered`);
    for (const step of steps) {
      for (const [name, port] of Object.entries(step.inputs)) {
        if (port.default === undefined) continue;
        assert.equal(portValueProblem(port.type, port.default), undefined, `${step.type}.${name}: default ${JSON.stringify(port.default)} is not a ${port.type}`);
        assert.equal(port.optional, true, `${step.type}.${name} has a default, so it may be left out`);
      }
    }
  } finally {
    await shenbi.close();
    await rm(home, { recursive: true, force: true });
  }
});
