import { blessingVerseEngine, composeVerse } from '../../engines/blessing-verse/index.ts';
import type { StepDefinition } from '../../core/step.ts';

export const blessingVerseStep: StepDefinition = {
  type: 'text.blessing-verse',
  title: 'Blessing verse',
  description: 'Writes a four-line blessing for someone, themed by the wish.',
  version: '1',
  engine: blessingVerseEngine.id,
  inputs: {
    recipient: { type: 'string', description: 'Who the blessing is for.' },
    wish: { type: 'string', description: 'What to wish them.' },
    language: { type: 'string', optional: true, default: 'auto', description: 'zh, en or auto.' },
    seed: { type: 'integer', optional: true },
  },
  outputs: {
    verse: { type: 'artifact', description: 'The verse as Markdown.' },
    title: { type: 'string' },
    text: { type: 'string', description: 'The verse lines, one per line.' },
  },
  async run(ctx, inputs) {
    const language = inputs.language === 'zh' || inputs.language === 'en' ? inputs.language : 'auto';
    const verse = composeVerse({
      recipient: String(inputs.recipient),
      wish: String(inputs.wish),
      language,
      seed: typeof inputs.seed === 'number' ? inputs.seed : undefined,
    });
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
