import type { Command } from 'commander';
import { z } from 'zod';
import { parseOrThrow } from '../../core/validation.ts';
import { createEspeakEngine } from '../../engines/espeak/index.ts';
import type { CliContext } from '../context.ts';
import { printJson, printLine, printTable } from '../output.ts';

const voicesOptions = z.object({ language: z.string().min(1).max(35).optional() });

/** `shenbi models voices`: the speech voices a `voice` option accepts (eSpeak-NG's, built in and offline). */
export function registerVoices(models: Command, ctx: CliContext): void {
  models
    .command('voices')
    .description('speech voices you can name with voice=…: eSpeak-NG built in (offline); Piper neural voices are models (piper:NAME)')
    .option('--language <tag>', 'only voices for this language tag prefix, e.g. zh, en, cmn')
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOrThrow(voicesOptions, raw, 'options');
      const espeak = createEspeakEngine();
      try {
        const prefix = options.language?.toLowerCase();
        const voices = (await espeak.listVoices()).filter(
          (v) => prefix === undefined || v.languages.some((l) => l.toLowerCase() === prefix || l.toLowerCase().startsWith(`${prefix}-`)),
        );
        if (ctx.output.json) return printJson(voices);
        printTable(
          ['VOICE', 'NAME', 'LANGUAGES'],
          voices.map((v) => [v.id, v.name, v.languages.join(',')]),
          { fit: true },
        );
        printLine('Neural Piper voices: `shenbi models catalog` lists them (piper-…); use one as voice=piper:NAME once pulled.');
      } finally {
        await espeak.close();
      }
    });
}
