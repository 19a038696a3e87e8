import { proceduralCardEngine, renderCard } from '../../engines/procedural-card/index.ts';
import { seedFromText } from '../../engines/seeded-random.ts';
import type { StepDefinition } from '../../core/step.ts';
import { ShenbiError } from '../../core/errors.ts';

const FORMATS = ['png', 'jpeg', 'webp'] as const;
type Format = (typeof FORMATS)[number];

function isFormat(value: unknown): value is Format {
  return typeof value === 'string' && (FORMATS as readonly string[]).includes(value);
}

export const cardImageStep: StepDefinition = {
  type: 'image.card',
  title: 'Card image',
  description: 'Draws a typographic card or poster from a title and text.',
  version: '1',
  engine: proceduralCardEngine.id,
  inputs: {
    title: { type: 'string' },
    text: { type: 'string', optional: true, default: '' },
    width: { type: 'integer', optional: true, default: 1080 },
    height: { type: 'integer', optional: true, default: 1440 },
    seed: { type: 'integer', optional: true },
    format: { type: 'string', optional: true, default: 'png', description: 'png, jpeg or webp.' },
  },
  outputs: {
    image: { type: 'artifact' },
  },
  async run(ctx, inputs) {
    const title = String(inputs.title);
    const text = String(inputs.text ?? '');
    const width = Number(inputs.width);
    const height = Number(inputs.height);
    if (!(width >= 64 && width <= 4096 && height >= 64 && height <= 4096)) {
      throw new ShenbiError('INVALID_INPUT', `Card size must be 64–4096 px on each side, got ${width}×${height}.`);
    }
    if (!isFormat(inputs.format)) {
      throw new ShenbiError('INVALID_INPUT', `Card format must be one of ${FORMATS.join(', ')}, got "${String(inputs.format)}".`);
    }
    const seed = typeof inputs.seed === 'number' ? inputs.seed : seedFromText(`${title}\u0000${text}`);
    ctx.progress({ fraction: 0.1, message: 'drawing' });
    const card = await renderCard({ title, lines: text === '' ? [] : text.split('\n'), width, height, seed, format: inputs.format });
    ctx.progress({ fraction: 0.9, message: 'encoded' });
    const artifact = await ctx.writeArtifact({
      kind: 'image',
      mimeType: card.mimeType,
      bytes: card.bytes,
      name: `card.${inputs.format === 'jpeg' ? 'jpg' : inputs.format}`,
      engine: { id: proceduralCardEngine.id, version: proceduralCardEngine.version },
      parameters: { width, height, format: inputs.format },
      seed,
    });
    return { image: artifact.id };
  },
};
