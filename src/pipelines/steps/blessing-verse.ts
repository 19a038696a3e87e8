import { z } from 'zod';
import { blessingVerseEngine, composeVerse } from '../../engines/blessing-verse/index.ts';
import { inputPorts } from '../../core/step-inputs.ts';
import type { StepDefinition } from '../../core/step.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { present } from './present-inputs.ts';

const inputSchema = z.object({
  recipient: z.string().max(200).describe('Who the blessing is for.'),
  wish: z.string().max(2_000).describe('What to wish them.'),
  language: z.string().max(16).default('auto').describe('zh, en or auto.'),
  seed: z.number().int().optional(),
});

export const blessingVerseStep: StepDefinition = {
  type: 'text.blessing-verse',
  title: 'Blessing verse',
  description: 'Writes a four-line blessing for someone, themed by the wish.',
  version: '1',
  engine: blessingVerseEngine.id,
  inputs: inputPorts(inputSchema),
  outputs: {
    verse: { type: 'artifact', description: 'The verse as Markdown.' },
    title: { type: 'string' },
    text: { type: 'string', description: 'The verse lines, one per line.' },
  },
  async run(ctx, inputs) {
    const input = parseOrThrow(inputSchema, present(inputs), 'text.blessing-verse input');
    const language = input.language === 'zh' || input.language === 'en' ? input.language : 'auto';
    const verse = composeVerse({ recipient: input.recipient, wish: input.wish, language, seed: input.seed });
    const text = verse.lines.join('\n');
    const markdown = `# ${verse.title}\n\n${verse.lines.join('  \n')}\n`;
    const artifact = await ctx.writeArtifact({
      kind: 'text',
      mimeType: 'text/markdown; charset=utf-8',
      bytes: Buffer.from(markdown, 'utf8'),
      name: 'verse.md',
      engine: { id: blessingVerseEngine.id, version: blessingVerseEngine.version },
      parameters: { language: verse.language, theme: verse.theme },
      seed: verse.seed,
    });
    return { verse: artifact.id, title: verse.title, text };
  },
};
