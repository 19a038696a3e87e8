import MidiWriter from 'midi-writer-js';
import type { Composition } from './composition.ts';

/**
 * Standard MIDI File (type 1): a conductor track with tempo, time and key signature, then one
 * track per instrument with its name and program. midi-writer-js numbers NoteEvent channels
 * from 1 but ProgramChangeEvent channels from 0 (see platform-notes).
 */
export function toMidi(song: Composition): Uint8Array {
  const conductor = new MidiWriter.Track();
  conductor.setTempo(song.tempo, 0);
  conductor.setTimeSignature(song.beatsPerBar, 4, 24, 8);
  conductor.setKeySignature(song.key.mode === 'minor' ? song.key.name.replace(/m$/, '').toLowerCase() : song.key.name);
  conductor.addTrackName(`Shenbi song (${song.mood}, ${song.genre}, seed ${song.seed})`);
  const tracks = [conductor];
  for (const track of song.tracks) {
    const t = new MidiWriter.Track();
    t.addTrackName(track.name);
    if (track.channel !== 9) t.addEvent(new MidiWriter.ProgramChangeEvent({ instrument: track.program, channel: track.channel }));
    for (const note of track.notes) {
      t.addEvent(
        new MidiWriter.NoteEvent({
          pitch: [note.pitch],
          duration: `T${note.durationTicks}`,
          startTick: note.startTick,
          velocity: Math.round((note.velocity / 127) * 100),
          channel: track.channel + 1,
        }),
      );
    }
    tracks.push(t);
  }
  return dropDuplicateEndOfTrack(new MidiWriter.Writer(tracks).buildFile());
}

const END_OF_TRACK = [0x00, 0xff, 0x2f, 0x00];

/**
 * midi-writer-js 3.2.1 ends tracks that use startTick with two End-of-Track events (its
 * buildData runs twice). Readers differ on that (spessasynth warns and repairs); the file we
 * ship has exactly one, last, as the SMF spec requires.
 */
function dropDuplicateEndOfTrack(file: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  while (at + 8 <= file.length) {
    const id = String.fromCharCode(...file.subarray(at, at + 4));
    const length = view.getUint32(at + 4);
    let body = file.subarray(at + 8, at + 8 + length);
    if (id === 'MTrk') {
      const endsTwice = (offset: number) => END_OF_TRACK.every((b, i) => body[body.length - offset + i] === b);
      while (body.length >= 8 && endsTwice(4) && endsTwice(8)) body = body.subarray(0, body.length - 4);
    }
    const header = new Uint8Array(8);
    header.set(file.subarray(at, at + 4));
    new DataView(header.buffer).setUint32(4, body.length);
    parts.push(header, body);
    at += 8 + length;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
