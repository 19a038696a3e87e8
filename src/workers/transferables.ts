/**
 * The ArrayBuffers behind the typed arrays in a value (through plain objects, arrays and
 * Maps, a few levels deep), for moving a result across threads instead of copying it. A view
 * that covers only part of its buffer is left to be copied: the rest of that buffer may be
 * someone else's (Node's small-Buffer pool).
 */
export function transferablesOf(value: unknown, depth = 4): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const visit = (v: unknown, level: number): void => {
    if (v === null || typeof v !== 'object') return;
    if (ArrayBuffer.isView(v)) {
      const buffer = ownBuffer(v);
      if (buffer !== undefined) found.add(buffer);
      return;
    }
    if (level >= depth) return;
    if (Array.isArray(v)) for (const item of v) visit(item, level + 1);
    else if (v instanceof Map) for (const item of v.values()) visit(item, level + 1);
    else if (Object.getPrototypeOf(v) === Object.prototype) for (const item of Object.values(v)) visit(item, level + 1);
  };
  visit(value, 0);
  return [...found];
}

/** The view's buffer when the view covers all of it (so moving it takes nothing else along). */
export function ownBuffer(view: ArrayBufferView): ArrayBuffer | undefined {
  const buffer = view.buffer;
  return buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength && buffer.byteLength > 0 ? buffer : undefined;
}
