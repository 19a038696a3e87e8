// Shenbi eSpeak-NG runner — a separate process.
//
// Copyright notice: eSpeak-NG (https://github.com/espeak-ng/espeak-ng), used here through the
// Emscripten build @echogarden/espeak-ng-emscripten, is free software licensed under the GNU
// General Public License, version 3 (GPL-3.0). You can redistribute and/or modify it under
// the terms of that licence; it comes WITHOUT ANY WARRANTY. See the COPYING file shipped in
// node_modules/@echogarden/espeak-ng-emscripten or https://www.gnu.org/licenses/gpl-3.0.html.
//
// Why a separate process: Shenbi is Apache-2.0. This file is the only module that loads the
// GPL program, and it runs as its own process (child_process.fork). The main process never
// imports it; the two exchange plain data messages over Node's IPC channel, so eSpeak-NG is
// used as a separate program, not linked into Shenbi. Plain JavaScript so it starts without a
// TypeScript loader.
//
// Protocol (serialization: 'advanced', so Int16Array travels as one binary blob):
//   -> { id, op: 'voices' }
//   <- { id, ok: true, voices: [{ id, name, languages: string[] }] }
//   -> { id, op: 'synthesize', text, voice, rate, pitch }
//   <- { id, ok: true, sampleRate, samples: Int16Array,
//        events: [{ type: 'word'|'sentence'|'end'|'phoneme', charIndex, charLength, time, phoneme? }] }
//      (a 'phoneme' event carries eSpeak's phoneme string, IPA-like: 'ˈoʊ', 'tɕh'; '' is a pause)
//   -> { id, op: 'warm-up', runs: [{ voice, text }] }   (synthesizes each, drops the audio)
//   <- { id, ok: true }
//   -> { id, op: 'phonemize', text, voice }
//   <- { id, ok: true, phonemes: string }   (IPA; '_' between phonemes, ' ' between words, '|' between clauses)
//   <- { id, ok: false, error: { code, message } }
// charIndex is a 0-based code-point offset into text; time is seconds from the start.
import Module from '@echogarden/espeak-ng-emscripten';

const KEPT_EVENTS = new Set(['word', 'sentence', 'end', 'phoneme']);

let worker;
let moduleInstance;
let loadError;
try {
  moduleInstance = await Module();
  worker = new moduleInstance.eSpeakNGWorker();
} catch (error) {
  loadError = error instanceof Error ? error.message : String(error);
}

function listVoices() {
  return worker.list_voices().map((voice) => ({
    id: voice.identifier,
    name: voice.name,
    languages: voice.languages.map((language) => language.name),
  }));
}

function synthesize({ text, voice, rate, pitch, range = 50 }) {
  worker.set_voice(voice, '');
  worker.set_rate(rate);
  worker.set_pitch(pitch);
  worker.set_range(range);
  const chunks = [];
  let total = 0;
  const events = [];
  worker.synthesize(text, (audio, chunkEvents) => {
    if (audio && audio.length > 0) {
      chunks.push(audio);
      total += audio.length;
    }
    for (const event of chunkEvents) {
      if (!KEPT_EVENTS.has(event.type)) continue;
      events.push({
        type: event.type,
        // eSpeak counts characters from 1.
        charIndex: Math.max(0, event.text_position - 1),
        charLength: Math.max(0, event.word_length),
        time: event.audio_position / 1000,
        // A phoneme event's id is the phoneme itself (a string); other events number it.
        ...(event.type === 'phoneme' ? { phoneme: typeof event.id === 'string' ? event.id : '' } : {}),
      });
    }
    return 0; // 0 = keep going
  });
  const samples = new Int16Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    samples.set(chunk, offset);
    offset += chunk.length;
  }
  return { sampleRate: worker.get_samplerate(), samples, events };
}

/** Reads the NUL-terminated UTF-8 string eSpeak returned (the wrapper hands back a raw pointer). */
function readCString(pointer) {
  const heap = moduleInstance.HEAPU8;
  let end = pointer;
  while (heap[end] !== 0) end++;
  return new TextDecoder().decode(heap.subarray(pointer, end));
}

function phonemize({ text, voice }) {
  worker.set_voice(voice, '');
  return { phonemes: readCString(moduleInstance.getPointer(worker.convert_to_phonemes(text, true))) };
}

function handle(message) {
  const id = message?.id;
  if (loadError !== undefined) return { id, ok: false, error: { code: 'ENGINE_UNAVAILABLE', message: `eSpeak-NG failed to load: ${loadError}` } };
  try {
    if (message.op === 'voices') return { id, ok: true, voices: listVoices() };
    if (message.op === 'synthesize') return { id, ok: true, ...synthesize(message) };
    if (message.op === 'phonemize') return { id, ok: true, ...phonemize(message) };
    if (message.op === 'warm-up') {
      for (const run of message.runs) synthesize({ text: run.text, voice: run.voice, rate: 175, pitch: 50 });
      return { id, ok: true };
    }
    return { id, ok: false, error: { code: 'INTERNAL', message: `unknown op ${String(message.op)}` } };
  } catch (error) {
    return { id, ok: false, error: { code: 'ENGINE_FAILED', message: error instanceof Error ? error.message : String(error) } };
  }
}

process.on('message', (message) => {
  process.send(handle(message));
});
// The parent went away (or let us go when idle): nothing left to serve.
process.on('disconnect', () => process.exit(0));
