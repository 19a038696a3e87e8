import { basename } from 'node:path';
import { z } from 'zod';
import { safeFileBase } from '../../../core/file-name.ts';
import { toShenbiError } from '../../../core/errors.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { renderMidiFile } from '../../../engines/singer/render-midi-file.ts';
import { SOUNDFONT_ENGINE_INFO } from '../../../engines/soundfont/render-midi.ts';
import { AUDIO_MIME_TYPES, encodeAudio } from '../../../media/audio/encode.ts';
import { readMediaInput, type MediaPolicy } from '../media-input.ts';
import { present } from '../present-inputs.ts';

const inputSchema = z.object({
  midi: z.string().min(1).max(4096).describe('A .mid file: an artifact id, an upload id, a public http(s) URL, or a path inside the media roots (CLI and keyless server only).'),
  soundfont: z.string().min(1).max(4096).optional().describe('An .sf2/.sf3 file, given like midi (paths may also lie in the models folder); default: the bundled FluidR3Mono.'),
  title: z.string().max(200).optional(),
  format: z.enum(['wav', 'mp3', 'ogg', 'flac']).default('wav'),
  loudness: z.number().min(-40).max(-6).default(-14),
});

/**
 * The user's own MIDI file rendered with a SoundFont. Both are media inputs under the usual
 * caller rules (readMediaInput): artifact or upload ids and public URLs for everyone, local
 * paths inside the roots only for the CLI and the keyless loopback server. SoundFonts may
 * also sit in the models folder (`soundFonts.roots`).
 */
export function midiRenderStep(media: MediaPolicy, soundFonts: { roots: readonly string[] }): StepDefinition {
  return {
    type: 'music.render-midi',
    title: 'Render a MIDI file with a SoundFont',
    description: 'Renders your Standard MIDI File with a SoundFont (SF2/SF3; default: the bundled FluidR3Mono) and masters it.',
    version: '1',
    engine: 'music',
    inputs: inputPorts(inputSchema),
    outputs: { audio: { type: 'artifact' }, duration: { type: 'number' } },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'music.render-midi input');
      const midi = await readMediaInput(ctx, input.midi, media, 'audio');
      const soundFont = input.soundfont === undefined ? undefined : await readMediaInput(ctx, input.soundfont, { ...media, roots: soundFonts.roots }, 'audio');
      ctx.progress({ fraction: 0.1, message: 'rendering' });
      let audio;
      try {
        audio = await renderMidiFile({ midi: midi.bytes, ...(soundFont ? { soundFont: soundFont.bytes } : {}), loudness: input.loudness, signal: ctx.signal });
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(error, 'ENGINE_FAILED');
      }
      ctx.progress({ fraction: 0.85, message: `encoding ${input.format}` });
      const bytes = await encodeAudio(audio, input.format, { channels: 2, signal: ctx.signal });
      const name = safeFileBase(input.title ?? basename(midi.name).replace(/\.midi?$/i, ''), 'midi');
      const stored = await ctx.writeArtifact({
        kind: 'audio',
        mimeType: AUDIO_MIME_TYPES[input.format],
        bytes,
        name: `${name}.${input.format}`,
        parents: [...midi.parents, ...(soundFont?.parents ?? [])],
        engine: { id: SOUNDFONT_ENGINE_INFO.id, version: SOUNDFONT_ENGINE_INFO.version },
        parameters: { loudness: input.loudness, soundfont: soundFont === undefined ? 'FluidR3Mono' : basename(soundFont.name) },
      });
      return { audio: stored.id, duration: audio.samples.length / audio.sampleRate };
    },
  };
}
