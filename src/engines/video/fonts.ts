import { execFile } from 'node:child_process';
import { ShenbiError } from '../../core/errors.ts';

let installed: Promise<Set<string>> | undefined;

/** Font families fontconfig knows (what libass will find), lower-cased; read once per process. */
function installedFamilies(): Promise<Set<string>> {
  installed ??= new Promise((resolve) => {
    execFile('fc-list', [':', 'family'], { maxBuffer: 16 << 20 }, (error, stdout) => {
      // Without fc-list we cannot tell: assume present rather than refuse every render.
      if (error) return resolve(new Set(['*']));
      resolve(new Set(stdout.split('\n').flatMap((line) => line.split(',')).map((f) => f.trim().toLowerCase()).filter(Boolean)));
    });
  });
  return installed;
}

/** The font families an ASS script's styles ask for. */
export function assFonts(ass: string): string[] {
  const fonts = new Set<string>();
  for (const line of ass.split(/\r?\n/)) {
    const match = /^Style:\s*[^,]*,\s*([^,]+),/.exec(line);
    if (match) fonts.add(match[1]!.trim());
  }
  return [...fonts];
}

/**
 * Refuses to render text in a font that is not installed: libass would silently fall back to
 * another font, and Chinese would come out as empty boxes.
 */
export async function ensureFonts(families: readonly string[]): Promise<void> {
  const known = await installedFamilies();
  if (known.has('*')) return;
  const missing = families.filter((f) => !known.has(f.toLowerCase()));
  if (missing.length > 0) {
    throw new ShenbiError('ENGINE_UNAVAILABLE', `font not installed: ${missing.join(', ')}`, {
      hint: missing.some((f) => /cjk/i.test(f)) ? 'apt-get install fonts-noto-cjk' : 'Install the font, or choose an installed one (fc-list : family).',
      details: { missing },
    });
  }
}
