/**
 * The audio DSP that takes more than a few milliseconds, run on the worker pool so it never
 * blocks the event loop: the same functions as in loudness.ts, resample.ts and wav.ts, with
 * the same results. Tiny inputs (under SMALL_SAMPLES) run in this thread. Inputs are copied
 * unless the caller moves them with `transfer` (then it must not read them again).
 */
import { offThreadTask, runOffThread, type OffThreadOptions } from '../../workers/off-thread.ts';
import { ownBuffer } from '../../workers/transferables.ts';
import * as loudness from './loudness.ts';
import type { NormalizeOptions } from './loudness.ts';
import * as mastering from './master-wav.ts';
import * as mixing from './mix.ts';
import type { DuckOptions } from './mix.ts';
import type { PcmAudio } from './pcm.ts';
import * as resampling from './resample.ts';
import * as wav from './wav.ts';
import type { DecodedWav } from './wav.ts';

/** About 10 ms of loudness work: below this the hop to a worker is not worth it. */
const SMALL_SAMPLES = 8192;

const normalizeTask = offThreadTask(new URL('./loudness.ts', import.meta.url), loudness, 'normalizeLoudness');
const integratedTask = offThreadTask(new URL('./loudness.ts', import.meta.url), loudness, 'integratedLoudness');
const truePeakTask = offThreadTask(new URL('./loudness.ts', import.meta.url), loudness, 'truePeakDb');
const resampleTask = offThreadTask(new URL('./resample.ts', import.meta.url), resampling, 'resample');
const gainTask = offThreadTask(new URL('./mix.ts', import.meta.url), mixing, 'gainTo');
const duckTask = offThreadTask(new URL('./mix.ts', import.meta.url), mixing, 'duckAndMix');
const encodeWavTask = offThreadTask(new URL('./wav.ts', import.meta.url), wav, 'encodeWav');
const masterWavTask = offThreadTask(new URL('./master-wav.ts', import.meta.url), mastering, 'masterWav');
const decodeWavTask = offThreadTask(new URL('./wav.ts', import.meta.url), wav, 'decodeWav');

export type AudioOffThreadOptions = Pick<OffThreadOptions, 'signal' | 'transfer'>;

/** A view that structured cloning copies alone: a subarray would take its whole buffer along. */
function tight<T extends PcmAudio>(audio: T): T {
  return ownBuffer(audio.samples) === undefined ? { ...audio, samples: audio.samples.slice() } : audio;
}

/** `normalizeLoudness` off the event loop. */
export function normalizeLoudnessOffThread(audio: PcmAudio, options: NormalizeOptions = {}, run: AudioOffThreadOptions = {}): Promise<PcmAudio> {
  return runOffThread(normalizeTask, [tight(audio), options], { ...run, inline: audio.samples.length < SMALL_SAMPLES });
}

/** `masterWav` (normalise, then 16-bit WAV) off the event loop, in one hop; the bytes as a Buffer. */
export async function masterWavOffThread(audio: PcmAudio, options: NormalizeOptions, channels = 1, run: AudioOffThreadOptions = {}): Promise<{ bytes: Buffer; frames: number; sampleRate: number }> {
  const result = await runOffThread(masterWavTask, [tight(audio), options, channels], { ...run, inline: audio.samples.length < SMALL_SAMPLES });
  const view = result.bytes;
  return { ...result, bytes: Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength) };
}

/** `integratedLoudness` off the event loop. */
export function integratedLoudnessOffThread(audio: PcmAudio, run: AudioOffThreadOptions = {}): Promise<number> {
  return runOffThread(integratedTask, [tight(audio)], { ...run, inline: audio.samples.length < SMALL_SAMPLES });
}

/** `truePeakDb` off the event loop. */
export function truePeakDbOffThread(audio: PcmAudio, run: AudioOffThreadOptions = {}): Promise<number> {
  return runOffThread(truePeakTask, [tight(audio)], { ...run, inline: audio.samples.length < SMALL_SAMPLES });
}

/** `resample` off the event loop (the same audio back when the rate already matches). */
export async function resampleOffThread(audio: PcmAudio, targetRate: number, run: AudioOffThreadOptions = {}): Promise<PcmAudio> {
  if (targetRate === audio.sampleRate) return audio;
  return runOffThread(resampleTask, [tight(audio), targetRate], { ...run, inline: audio.samples.length < SMALL_SAMPLES });
}

/** `gainTo` off the event loop. */
export function gainToOffThread(audio: PcmAudio, targetDb: number, run: AudioOffThreadOptions = {}): Promise<PcmAudio> {
  return runOffThread(gainTask, [tight(audio), targetDb], { ...run, inline: audio.samples.length < SMALL_SAMPLES });
}

/** `duckAndMix` off the event loop. */
export function duckAndMixOffThread(bed: PcmAudio, voice: PcmAudio, options: DuckOptions = {}, run: AudioOffThreadOptions = {}): Promise<PcmAudio> {
  return runOffThread(duckTask, [tight(bed), tight(voice), options], { ...run, inline: Math.max(bed.samples.length, voice.samples.length) < SMALL_SAMPLES });
}

/** `encodeWav` off the event loop; a Buffer, as in this thread. */
export async function encodeWavOffThread(audio: PcmAudio, channels = 1, run: AudioOffThreadOptions = {}): Promise<Buffer> {
  const bytes = await runOffThread(encodeWavTask, [tight(audio), channels], { ...run, inline: audio.samples.length < SMALL_SAMPLES });
  // Structured cloning turns a Buffer into a plain Uint8Array over the same (moved) memory.
  const view: Uint8Array = bytes;
  return Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** `decodeWav` off the event loop. */
export function decodeWavOffThread(bytes: Uint8Array, run: AudioOffThreadOptions = {}): Promise<DecodedWav> {
  const whole = ownBuffer(bytes) === undefined ? bytes.slice() : bytes;
  return runOffThread(decodeWavTask, [whole], { ...run, inline: bytes.length < SMALL_SAMPLES * 2 });
}
