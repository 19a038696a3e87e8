import { ShenbiError } from '../../src/core/errors.ts';
import type { Provenance } from '../../src/core/provenance.ts';
import type { PipelineSpec } from '../../src/core/pipeline.ts';
import type { NewArtifact } from '../../src/store/index.ts';

export function provenance(task = 'text.generate'): Provenance {
  return {
    task,
    inputs: { prompt: 'a poem about ink' },
    engine: { id: 'test-engine', version: '1.0.0' },
    model: { name: 'stories260K', sha256: null },
    parameters: { temperature: 0 },
    seed: 42,
    parents: [],
    timings: { startedAt: '2025-01-01T00:00:00.000Z', finishedAt: '2025-01-01T00:00:01.000Z', durationMs: 1000 },
  };
}

export function newArtifact(text: string, extra: Partial<NewArtifact> = {}): NewArtifact {
  return { kind: 'text', mimeType: 'text/plain; charset=utf-8', bytes: Buffer.from(text), provenance: provenance(), ...extra };
}

export function pipelineSpec(stepIds: string[] = ['first', 'second', 'third']): PipelineSpec {
  const last = stepIds[stepIds.length - 1] ?? 'first';
  return {
    id: 'test-pipeline',
    title: 'Test pipeline',
    description: '',
    inputs: { prompt: { type: 'string' } },
    steps: stepIds.map((id) => ({ id, uses: 'test.echo', with: { text: { $from: 'inputs.prompt' } } })),
    outputs: { result: { $from: `${last}.text` } },
  };
}

/** For assert.rejects/throws: the error is a ShenbiError with this code. */
export function hasCode(code: string): (error: unknown) => boolean {
  return (error: unknown) => error instanceof ShenbiError && error.code === code;
}
