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
  return new MidiWriter.Writer(tracks).buildFile();
}
