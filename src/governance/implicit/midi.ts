import { ascii, concat, latin1, mediaInvalid, u32be, view } from './bytes.ts';
import { aigcJson, parseShenbiJson, shenbiJson, type ImplicitLabelPayload } from './payload.ts';
import type { RawFindings } from './types.ts';

/**
 * Standard MIDI: two Text meta events (FF 01) at tick 0 of the first track, `AIGC=<json>` and
 * `SHENBI=<json>`. Sequencers show or ignore text events but never play them. Re-labeling
 * removes earlier ones (their delta time moves to the next event), so the timing is unchanged.
 */

interface Event {
  delta: number;
  /** The event bytes after the delta time, running status made explicit. */
  bytes: Uint8Array;
  text: string | null;
}

function readVlq(data: Uint8Array, at: number): [number, number] {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    if (at >= data.length) throw mediaInvalid('MIDI', 'truncated variable-length number');
    const b = data[at++]!;
    value = (value << 7) | (b & 0x7f);
    if (!(b & 0x80)) return [value, at];
  }
  throw mediaInvalid('MIDI', 'variable-length number longer than 4 bytes');
}

function vlq(n: number): Uint8Array {
  const out = [n & 0x7f];
  for (let v = n >>> 7; v > 0; v >>>= 7) out.unshift((v & 0x7f) | 0x80);
  return new Uint8Array(out);
}

function events(track: Uint8Array): Event[] {
  const out: Event[] = [];
  let at = 0;
  let running = 0;
  while (at < track.length) {
    const [delta, next] = readVlq(track, at);
    at = next;
    if (at >= track.length) throw mediaInvalid('MIDI', 'event missing after a delta time');
    let status = track[at]!;
    const start = at;
    let text: string | null = null;
    if (status === 0xff) {
      const type = track[at + 1];
      const [length, body] = readVlq(track, at + 2);
      at = body + length;
      if (type === 0x01 && at <= track.length) text = ascii(track, body, length);
    } else if (status === 0xf0 || status === 0xf7) {
      const [length, body] = readVlq(track, at + 1);
      at = body + length;
    } else {
      let prefix: Uint8Array | null = null;
      if (status < 0x80) {
        if (running === 0) throw mediaInvalid('MIDI', 'running status without a previous status');
        status = running;
        prefix = new Uint8Array([status]);
      } else at++;
      running = status;
      const kind = status & 0xf0;
      at += kind === 0xc0 || kind === 0xd0 ? 1 : 2;
      if (at > track.length) throw mediaInvalid('MIDI', 'truncated channel event');
      out.push({ delta, bytes: prefix === null ? track.subarray(start, at) : concat([prefix, track.subarray(start, at)]), text: null });
      continue;
    }
    if (at > track.length) throw mediaInvalid('MIDI', 'truncated event');
    out.push({ delta, bytes: track.subarray(start, at), text });
  }
  return out;
}

interface Chunk {
  id: string;
  start: number;
  end: number;
  data: Uint8Array;
}

function chunks(bytes: Uint8Array): Chunk[] {
  if (bytes.length < 14 || ascii(bytes, 0, 4) !== 'MThd') throw mediaInvalid('MIDI', 'no MThd header');
  const dv = view(bytes);
  const out: Chunk[] = [];
  let at = 0;
  while (at + 8 <= bytes.length) {
    const length = dv.getUint32(at + 4);
    if (at + 8 + length > bytes.length) throw mediaInvalid('MIDI', `chunk at byte ${at} runs past the end of the file`);
    out.push({ id: ascii(bytes, at, 4), start: at, end: at + 8 + length, data: bytes.subarray(at + 8, at + 8 + length) });
    at += 8 + length;
  }
  if (!out.some((c) => c.id === 'MTrk')) throw mediaInvalid('MIDI', 'no MTrk chunk');
  return out;
}

const ours = (text: string | null): boolean => text !== null && /^(?:AIGC|SHENBI)=/.test(text);
const textEvent = (text: string): Uint8Array => concat([new Uint8Array([0, 0xff, 0x01]), vlq(text.length), latin1(text)]);

export function embedMidi(bytes: Uint8Array, payload: ImplicitLabelPayload): Uint8Array {
  const all = chunks(bytes);
  const first = all.findIndex((c) => c.id === 'MTrk');
  const parts: Uint8Array[] = [textEvent(`AIGC=${aigcJson(payload.aigc)}`), textEvent(`SHENBI=${shenbiJson(payload)}`)];
  let carried = 0;
  for (const event of events(all[first]!.data)) {
    if (ours(event.text)) {
      carried += event.delta;
      continue;
    }
    parts.push(vlq(event.delta + carried), event.bytes);
    carried = 0;
  }
  const track = concat(parts);
  return concat(all.map((c, i) => (i === first ? concat([latin1('MTrk'), u32be(track.length), track]) : bytes.subarray(c.start, c.end))));
}

export function readMidi(bytes: Uint8Array): RawFindings {
  const track = chunks(bytes).find((c) => c.id === 'MTrk')!;
  const texts = events(track.data).flatMap((e) => (e.text === null ? [] : [e.text]));
  const shenbi = texts.find((t) => t.startsWith('SHENBI='));
  return {
    aigc: texts.filter((t) => t.startsWith('AIGC=')).map((t) => ({ placement: 'midi-text-event' as const, value: t.slice(5) })),
    ...parseShenbiJson(shenbi === undefined ? null : shenbi.slice(7)),
  };
}
