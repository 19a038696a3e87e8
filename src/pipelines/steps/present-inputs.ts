/** A step's inputs without the unbound optional ports (they arrive as null or undefined; zod wants them absent). */
export function present(inputs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(inputs).filter(([, value]) => value !== undefined && value !== null));
}
