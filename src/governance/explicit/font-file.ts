import { execFile } from 'node:child_process';
import { ShenbiError } from '../../core/errors.ts';
import { LABEL_FONT_FAMILY } from './glyph-metrics.ts';

let found: Promise<string> | undefined;

/**
 * The file of the label font, for ffmpeg's drawtext (which takes a path, not a family).
 * fontconfig substitutes silently, so the answer must really be a CJK face or we refuse:
 * a fallback font would draw 生成 as empty boxes.
 */
export function labelFontFile(): Promise<string> {
  found ??= new Promise<string>((resolve, reject) => {
    execFile('fc-match', ['-f', '%{file}\n%{family}', LABEL_FONT_FAMILY], (error, stdout) => {
      const [file, family] = stdout.split('\n');
      if (error || !file || !/CJK|Han|Hei|Song|Ming|WenQuanYi/i.test(`${family ?? ''} ${file}`)) {
        reject(
          new ShenbiError('ENGINE_UNAVAILABLE', `no CJK font for the AI label (${LABEL_FONT_FAMILY})`, {
            hint: 'apt-get install fonts-noto-cjk fontconfig',
            ...(error ? { cause: error } : {}),
          }),
        );
        return;
      }
      resolve(file);
    });
  }).catch((error: unknown) => {
    found = undefined;
    throw error;
  });
  return found;
}
