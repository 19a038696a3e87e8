import { z } from 'zod';
import { proceduralCardEngine, renderCard } from '../../engines/procedural-card/index.ts';
import { seedFromText } from '../../engines/seeded-random.ts';
import { inputPorts } from '../../core/step-inputs.ts';
import type { StepDefinition } from '../../core/step.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { present } from './present-inputs.ts';

const side = z.number().int().min(64).max(4096);
const inputSchema = z.object({
  title: z.string().max(500),
  text: z.string().max(20_000).default(''),
  width: side.default(1080),
  height: side.default(1440),
  seed: z.number().int().optional(),
  format: z.enum(['png', 'jpeg', 'webp']).default('png').describe('png, jpeg or webp.'),
});

export const cardImageStep: StepDefinition = {
  type: 'image.card',
  title: 'Card image',
  description: 'Draws a typographic card or poster from a title and text.',
  version: '1',
  engine: proceduralCardEngine.id,
  inputs: inputPorts(inputSchema),
  outputs: {
    image: { type: 'artifact' },
  },
  async run(ctx, inputs) {
    const { title, text, width, height, format, seed: givenSeed } = parseOrThrow(inputSchema, present(inputs), 'image.card input');
    const seed = givenSeed ?? seedFromText(`${title}\u0000${text}`);
    ctx.progress({ fraction: 0.1, message: 'drawing' });
    const card = await renderCard({ title, lines: text === '' ? [] : text.split('\n'), width, height, seed, format });
    ctx.progress({ fraction: 0.9, message: 'encoded' });
    const artifact = await ctx.writeArtifact({
      kind: 'image',
      mimeType: card.mimeType,
      bytes: card.bytes,
      name: `card.${format === 'jpeg' ? 'jpg' : format}`,
      engine: { id: proceduralCardEngine.id, version: proceduralCardEngine.version },
      parameters: { width, height, format },
      seed,
    });
    return { image: artifact.id };
  },
};
