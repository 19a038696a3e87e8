// eSpeak-NG runner process.
//
// eSpeak-NG (@echogarden/espeak-ng-emscripten) is licensed under the GNU GPL v3.0. This file
// is the only place in Shenbi that loads it, and it runs as a separate process: Shenbi talks to
// it over an IPC channel (JSON-like messages), so the GPL program is used as a separate work
// and never linked into the Apache-2.0 main process. eSpeak-NG's source and licence:
// https://github.com/espeak-ng/espeak-ng (GPL-3.0-or-later); this runner may be redistributed
// under the same terms.
//
// Plain JavaScript so it starts without a TypeScript loader (~50 ms to a ready synthesizer).
// Protocol: the parent sends { id, op: 'voices' } or { id, op: 'synth', text, voice, rate, pitch }
// and receives { id, ok: true, ... } or { id, ok: false, error }.
import Module from '@echogarden/espeak-ng-emscripten';

const EVENT_TYPES = new Set(['word', 'sentence', 'end']);

const module = await Module();
const worker = new module.eSpeakNGWorker();
const sampleRate = worker.get_samplerate();

function listVoices() {
  const voices = [];
  for (let i = 0; i < 10000; i++) {
    const voice = worker.get_voices(i);
    if (!voice || !voice.ptr) break;
    const id = voice.get_identifier();
    if (!id) break;
    voices.push({ id, name: voice.get_name() });
  }
  return voices;
}

function synth({ text, voice, rate, pitch }) {
  if (worker.set_voice(voice) !== 0) throw new Error(`eSpeak has no voice "${voice}"`);
  worker.set_rate(rate);
  worker.set_pitch(pitch);
  const chunks = [];
  const events = [];
  let length = 0;
  worker.synthesize(text, (audio, chunkEvents) => {
    chunks.push(audio);
    length += audio.length;
    for (const e of chunkEvents) {
      if (EVENT_TYPES.has(e.type)) events.push({ type: e.type, textPosition: e.text_position, length: e.word_length, audioMs: e.audio_position });
    }
    return false; // false: continue
  });
  const samples = new Int16Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    samples.set(chunk, offset);
    offset += chunk.length;
  }
  return { sampleRate, samples, events };
}

process.on('message', (message) => {
  try {
    if (message.op === 'voices') process.send({ id: message.id, ok: true, voices: listVoices() });
    else if (message.op === 'synth') process.send({ id: message.id, ok: true, ...synth(message) });
    else throw new Error(`unknown op ${message.op}`);
  } catch (error) {
    process.send({ id: message.id, ok: false, error: String(error && error.message ? error.message : error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true, sampleRate });
