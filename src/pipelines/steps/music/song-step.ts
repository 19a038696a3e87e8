import { z } from 'zod';
import { toShenbiError } from '../../../core/errors.ts';
import type { StepDefinition } from '../../../core/step.ts';
import { inputPorts } from '../../../core/step-inputs.ts';
import { parseOrThrow } from '../../../core/validation.ts';
import { GENRES, MOODS, type Mood } from '../../../engines/composer/index.ts';
import { SONG_PEAK_DB } from '../../../engines/singer/master.ts';
import { makeSong, type SongVoices } from '../../../engines/singer/song.ts';
import { SOUNDFONT_ENGINE_INFO } from '../../../engines/soundfont/render-midi.ts';
import { AUDIO_MIME_TYPES } from '../../../media/audio/encode.ts';
import { encodeToLoudness } from '../../../media/audio/encode-to-loudness.ts';
import { normalizeLyricBreaks } from '../../../media/text/lyric-lines.ts';
import { allowedPath } from '../local-media-path.ts';
import { present } from '../present-inputs.ts';
import { safeFileBase } from '../../../core/file-name.ts';

const inputSchema = z.object({
  lyrics: z.string().max(20_000).transform(normalizeLyricBreaks),
  title: z.string().max(200).optional(),
  mood: z.enum(Object.keys(MOODS) as [Mood, ...Mood[]]).default('warm'),
  genre: z.enum(GENRES).default('pop'),
  instrument: z.enum(['piano', 'guitar']).default('piano'),
  tempo: z.number().optional(),
  key: z.string().optional(),
  vocals: z.enum(['sung', 'spoken', 'none']).default('sung'),
  format: z.enum(['wav', 'mp3', 'ogg', 'flac']).default('wav'),
  loudness: z.number().min(-40).max(-6).default(-14),
  soundfont: z.string().optional().describe('Path of an .sf2/.sf3 file inside the media roots or the models folder (CLI and keyless server only); default: the bundled FluidR3Mono.'),
  seed: z.number().int().min(0).default(1),
});

/**
 * Lyrics in, song out: melody, arrangement, SoundFont rendering, sung (or spoken) vocals,
 * ducking and mastering; stores the mastered audio, the MIDI and the LRC lyric sheet.
 */
export function songStep(voices: () => SongVoices, soundFonts: { roots: readonly string[] }): StepDefinition {
  return {
    type: 'music.song',
    title: 'Make a song from lyrics',
    description: 'Composes a melody for the lyrics, arranges and renders it, sings the lyrics, mixes and masters.',
    version: '1',
    engine: 'music',
    inputs: inputPorts(inputSchema),
    outputs: {
      audio: { type: 'artifact' },
      midi: { type: 'artifact' },
      lyricSheet: { type: 'artifact' },
      duration: { type: 'number' },
    },
    async run(ctx, inputs) {
      const input = parseOrThrow(inputSchema, present(inputs), 'music.song input');
      // A SoundFont is a local file: only for callers that may read local files, and inside the roots.
      const soundFontPath = input.soundfont ? await allowedPath(input.soundfont, { roots: soundFonts.roots, caller: ctx.caller, what: 'soundfont' }) : undefined;
      ctx.progress({ fraction: 0.05, message: 'composing' });
      let song;
      try {
        song = await makeSong(
          {
            lyrics: input.lyrics,
            style: { mood: input.mood, genre: input.genre, instrument: input.instrument, ...(input.tempo === undefined ? {} : { tempo: input.tempo }), ...(input.key === undefined ? {} : { key: input.key }) },
            seed: input.seed,
            vocals: input.vocals,
            loudness: input.loudness,
            ...(input.title ? { title: input.title } : {}),
            ...(soundFontPath ? { soundFontPath } : {}),
          },
          voices(),
          ctx.signal,
        );
      } catch (error) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toShenbiError(error, 'ENGINE_FAILED');
      }
      ctx.progress({ fraction: 0.85, message: `encoding ${input.format}` });
      // The file itself must meet the target in every format (a lossy codec shifts it; see
      // encodeToLoudness). MP3 at 256 kbit/s: at 128 LAME took 0.5 LU off, and as much again
      // when the audible label is mixed in and the file re-encoded at its own bitrate.
      const bytes = await encodeToLoudness(song.audio, input.format, { targetLufs: input.loudness, peakDb: SONG_PEAK_DB }, { channels: 2, signal: ctx.signal, ...(input.format === 'mp3' ? { bitrate: 256 } : {}) });
      const engine = { id: SOUNDFONT_ENGINE_INFO.id, version: SOUNDFONT_ENGINE_INFO.version };
      const parameters = { mood: input.mood, genre: input.genre, key: song.composition.key.name, tempo: song.composition.tempo, vocals: input.vocals, loudness: input.loudness };
      const name = safeFileBase(input.title, 'song');
      const midi = await ctx.writeArtifact({ kind: 'midi', mimeType: 'audio/midi', bytes: song.midi, name: `${name}.mid`, engine, parameters, seed: input.seed });
      const lyricSheet = await ctx.writeArtifact({ kind: 'subtitle', mimeType: 'application/x-lrc; charset=utf-8', bytes: Buffer.from(song.lyricSheet, 'utf8'), name: `${name}.lrc`, parents: [midi.id], engine, parameters, seed: input.seed });
      const audio = await ctx.writeArtifact({ kind: 'audio', mimeType: AUDIO_MIME_TYPES[input.format], bytes, name: `${name}.${input.format}`, parents: [midi.id, lyricSheet.id], engine, parameters, seed: input.seed });
      return { audio: audio.id, midi: midi.id, lyricSheet: lyricSheet.id, duration: song.audio.samples.length / song.audio.sampleRate };
    },
  };
}
