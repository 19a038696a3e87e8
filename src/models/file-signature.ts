import { stat } from 'node:fs/promises';

/** What a file or folder is now, from one stat: enough to tell that it was not replaced, renamed, resized or rewritten. */
export interface FileSignature {
  readonly path: string;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/** The paths' signatures, or undefined when one of them is gone. */
export async function signaturesOf(paths: readonly string[]): Promise<FileSignature[] | undefined> {
  const infos = await Promise.all(paths.map((path) => stat(path).catch(() => undefined)));
  const signatures: FileSignature[] = [];
  for (const [i, info] of infos.entries()) {
    if (info === undefined) return undefined;
    signatures.push({ path: paths[i]!, ino: info.ino, size: info.size, mtimeMs: info.mtimeMs });
  }
  return signatures;
}

/** Whether every path still has the signature it had. */
export async function signaturesHold(signatures: readonly FileSignature[]): Promise<boolean> {
  const now = await signaturesOf(signatures.map((signature) => signature.path));
  return now !== undefined && now.every((signature, i) => signature.ino === signatures[i]!.ino && signature.size === signatures[i]!.size && signature.mtimeMs === signatures[i]!.mtimeMs);
}
