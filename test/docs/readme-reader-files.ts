// Stand-ins for the files a README reader brings (talk.wav, sign.png, a material folder, …), made
// from real material at test time in the docs test's work dir, and one check of each command's
// result. Keyed by the README command without its comment, like readme.test.ts's CLASSIFIED.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { TESTDATA } from '../helpers/testdata.ts';

const run = promisify(execFile);

/** What a README command printed, and where it ran. */
export interface CommandRun {
  work: string;
  stdout: string;
  /** Runs another command the way the README's do (same dir, home and PATH). */
  shenbi: (args: string[]) => Promise<string>;
  /** What the earlier README command starting with `prefix` printed. */
  printedBy: (prefix: string) => string;
}

export interface ReaderFiles {
  /** Puts the files the command reads into the work dir. */
  prepare: (run: CommandRun) => Promise<void>;
  /** One meaningful check of what the command made. */
  check: (result: CommandRun) => Promise<void>;
}

/** What whisper.cpp's jfk.wav says (its reference transcript). */
const JFK_TRANSCRIPT = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';

/** The blob path printed under `  OUTPUT: art_…  MIME  SIZE` in a job report. */
function printedBlob(stdout: string, output: string, mime: RegExp): string {
  const lines = stdout.split('\n');
  const at = lines.findIndex((line) => new RegExp(`^\\s+${output}: art_\\w+\\s+${mime.source}`).test(line));
  assert.ok(at >= 0, `no ${output} artifact of type ${mime.source} in:\n${stdout}`);
  return (lines[at + 1] ?? '').trim();
}

/** A picture with real lettering, rendered by libvips from SVG text. */
async function sign(path: string, text: string): Promise<void> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="240"><rect width="100%" height="100%" fill="white"/>` + `<text x="40" y="150" font-family="DejaVu Sans, sans-serif" font-size="96" font-weight="bold" fill="black">${text}</text></svg>`;
  await sharp(Buffer.from(svg)).png().toFile(path);
}

/** Exports, as the job report says to, the `mime` artifact an earlier README command made. */
async function exportMadeBy(job: CommandRun, commandPrefix: string, mime: string, file: string): Promise<void> {
  const id = new RegExp(`^\\s+\\w+: (art_\\w+)\\s+${mime.replace('/', '\\/')}\\s`, 'm').exec(job.printedBy(commandPrefix))?.[1];
  assert.ok(id, `\`${commandPrefix}…\` printed no ${mime} artifact`);
  await job.shenbi(['artifacts', 'export', id, join(job.work, file)]);
}

export const READER_FILES: Record<string, ReaderFiles> = {
  'shenbi run ./my-pipeline.json --input input.json': {
    async prepare({ work }) {
      const pipeline = {
        id: 'my-card',
        title: 'A card from my own pipeline',
        inputs: { title: { type: 'string' }, text: { type: 'string' } },
        steps: [{ id: 'card', uses: 'image.card', with: { title: { $from: 'inputs.title' }, text: { $from: 'inputs.text' }, width: 640, height: 640 } }],
        outputs: { card: { $from: 'card.image' } },
      };
      await writeFile(join(work, 'my-pipeline.json'), JSON.stringify(pipeline, null, 2));
      await writeFile(join(work, 'input.json'), JSON.stringify({ title: '中秋快乐', text: '月圆人团圆' }));
    },
    async check({ stdout }) {
      const png = await sharp(printedBlob(stdout, 'card', /image\/png/)).metadata();
      assert.deepEqual([png.width, png.height], [640, 640]);
    },
  },
  'shenbi generate transcription talk.wav --set transcript="$(cat talk.txt)" --set format=srt': {
    async prepare({ work }) {
      await copyFile(join(TESTDATA, 'jfk.wav'), join(work, 'talk.wav'));
      await writeFile(join(work, 'talk.txt'), `${JFK_TRANSCRIPT}\n`);
    },
    async check({ stdout }) {
      const srt = await readFile(printedBlob(stdout, 'subtitles', /application\/x-subrip/), 'utf8');
      assert.match(srt, /^1\r?\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}/);
      assert.match(srt, /fellow Americans/);
      assert.match(srt, /ask what you can do for your country/);
    },
  },
  'shenbi generate video --set source=./material --set operation=folder --set script="$(cat script.txt)"': {
    async prepare({ work }) {
      const material = join(work, 'material');
      await mkdir(material, { recursive: true });
      await copyFile(join(TESTDATA, 'portrait-astronaut.png'), join(material, '01-astronaut.png'));
      // A clip with real speech under a test picture, as a phone clip would carry sound.
      await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-i', join(TESTDATA, 'jfk.wav'), '-t', '4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', join(material, '02-clip.mp4')]);
      await sign(join(material, '03-sign.png'), 'THE END');
      await writeFile(join(work, 'script.txt'), 'An astronaut floats above the Earth. A test picture speaks for its country. And the story ends.\n');
    },
    async check({ stdout }) {
      printedBlob(stdout, 'video', /video\/mp4/);
      const srt = await readFile(printedBlob(stdout, 'subtitles', /application\/x-subrip/), 'utf8');
      assert.match(srt, /astronaut/i);
    },
  },
  'shenbi run talking-head --set portrait=me.jpg --set text="大家好，欢迎收看今天的节目。" --set consent=\'{"subject":"me","basis":"self"}\'': {
    async prepare({ work }) {
      // A real face: the public-domain astronaut portrait, as the JPEG a reader would have.
      await sharp(join(TESTDATA, 'portrait-astronaut.png')).jpeg({ quality: 90 }).toFile(join(work, 'me.jpg'));
    },
    async check({ stdout }) {
      const video = printedBlob(stdout, 'video', /video\/mp4/);
      const { stdout: streams } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', video]);
      assert.deepEqual(streams.trim().split('\n').sort(), ['aac', 'h264,512,512']);
      assert.match(stdout, /lipSync: "?speech-phonemes/);
    },
  },
  'shenbi generate vision sign.png --set mode=ocr': {
    async prepare({ work }) {
      await sign(join(work, 'sign.png'), 'EXIT 12');
    },
    async check({ stdout }) {
      assert.match(stdout, /text: "EXIT 12"/);
    },
  },
  'shenbi verify out.png song.mp3 video.mp4 --require implicit,trusted': {
    async prepare(job) {
      await exportMadeBy(job, 'shenbi generate image "Mid-Autumn night market"', 'image/png', 'out.png');
      await exportMadeBy(job, 'shenbi run song ', 'audio/mpeg', 'song.mp3');
      await exportMadeBy(job, 'shenbi run lyric-video ', 'video/mp4', 'video.mp4');
    },
    async check({ stdout }) {
      for (const file of ['out.png', 'song.mp3', 'video.mp4']) assert.match(stdout, new RegExp(`^LABELED\\s+\\S*${file.replace('.', '\\.')}`, 'm'));
      assert.match(stdout, /all 3 labeled/);
    },
  },
};
