/**
 * A thread's reusable buffers for transient DSP arrays (loudness passes, peak envelopes).
 *
 * Why: the first write to fresh memory faults every page in. On the 2-core VMs Shenbi is
 * measured on that is ~20 ms for a 7 MB Float32Array (75 s of 22 kHz speech), against ~1 ms
 * to write the same array again; a loudness normalisation used eight such arrays per job.
 * Reusing them across jobs on a worker thread keeps their pages mapped.
 *
 * A buffer handed out stays valid until its slot is asked for again on this thread (every
 * user is synchronous, so nothing else runs between): never keep one past the call. Contents
 * are not cleared. Buffers over MAX_SLOT_BYTES are fresh each time and not kept (a long song's
 * arrays would hold hundreds of MB); the kept ones are let go after IDLE_MS without use, so an
 * idle server holds none.
 */
/** 16 MB: 3 minutes of 22.05 kHz speech per float32 slot; a thread keeps ~7 slots, so ≤ ~110 MB. */
const MAX_SLOT_BYTES = 16 * 1024 * 1024;
const IDLE_MS = 60_000;

const kept = new Map<string, ArrayBuffer>();
let idleTimer: NodeJS.Timeout | undefined;

function bufferFor(slot: string, bytes: number): ArrayBuffer {
  if (bytes > MAX_SLOT_BYTES) return new ArrayBuffer(bytes);
  let buffer = kept.get(slot);
  if (buffer === undefined || buffer.byteLength < bytes) {
    // A little headroom: the next job is rarely exactly as long.
    buffer = new ArrayBuffer(Math.min(MAX_SLOT_BYTES, Math.ceil((bytes * 1.25) / 8) * 8));
    kept.set(slot, buffer);
  }
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => kept.clear(), IDLE_MS);
  idleTimer.unref();
  return buffer;
}

/** A Float32Array of `length` in `slot`, contents undefined. */
export function scratchFloat32(slot: string, length: number): Float32Array {
  return new Float32Array(bufferFor(slot, length * 4), 0, length);
}

/** A Float64Array of `length` in `slot`, contents undefined. */
export function scratchFloat64(slot: string, length: number): Float64Array {
  return new Float64Array(bufferFor(slot, length * 8), 0, length);
}
