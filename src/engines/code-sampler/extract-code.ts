/** Pulls one program out of a model reply: the longest fenced js block, else the whole reply. */
export function extractCode(reply: string): string {
  const blocks = [...reply.matchAll(/```[ \t]*(?:js|javascript|ts|typescript)?[^\n]*\n([\s\S]*?)```/gi)].map((m) => (m[1] ?? '').trim());
  const best = blocks.sort((a, b) => b.length - a.length)[0];
  return best ?? reply.trim();
}

/** Name of the first top-level function declaration, the sandbox entry point. */
export function findEntry(code: string): string | undefined {
  return /function\s+([A-Za-z_$][\w$]*)\s*\(/.exec(code)?.[1] ?? /(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=/.exec(code)?.[1];
}
