// midi-writer-js ships types, but its package.json "exports" hides them from NodeNext
// resolution; this declares the part of its API Shenbi uses.
declare module 'midi-writer-js' {
  interface MidiEvent {
    readonly name: string;
  }
  class Track {
    setTempo(bpm: number, tick?: number): Track;
    setTimeSignature(numerator: number, denominator: number, midiClocksPerTick: number, notesPerMidiClock: number): Track;
    setKeySignature(key: string | number, minor?: number): Track;
    addTrackName(text: string): Track;
    addEvent(event: MidiEvent | MidiEvent[]): Track;
  }
  class NoteEvent implements MidiEvent {
    readonly name: string;
    constructor(fields: { pitch: (number | string)[]; duration: string; startTick?: number; velocity?: number; channel?: number; wait?: string });
  }
  class ProgramChangeEvent implements MidiEvent {
    readonly name: string;
    constructor(fields: { instrument: number; channel?: number; delta?: number });
  }
  class Writer {
    constructor(tracks: Track[]);
    buildFile(): Uint8Array;
  }
  const MidiWriter: { Track: typeof Track; NoteEvent: typeof NoteEvent; ProgramChangeEvent: typeof ProgramChangeEvent; Writer: typeof Writer };
  export default MidiWriter;
}
