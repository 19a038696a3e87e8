// The README's shell examples: every command in a ```sh block is classified here, by hand, and
// each one that needs no network, model, server or install runs exactly as written (bash,
// `shenbi` on PATH as an install puts it) in a temp SHENBI_HOME and must exit 0; the files a
// reader would bring (talk.wav, sign.png, …) are made first from real material.
// A command added to the README without a classification fails the first test.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { READER_FILES } from './readme-reader-files.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Why a README command does or does not run here. */
type Class =
  | 'runs' // offline, no model, ends by itself: run exactly as written
  | 'network' // downloads or calls a cloud provider
  | 'model' // needs a model the reader pulls first
  | 'server' // serves until stopped (or talks to a running server)
  | 'install' // installs dependencies
  | 'suite' // the test suite itself
  | 'benchmark' // minutes of measurements
  | 'reader-files' // works on files the reader has (talk.wav, sign.png, …): made from real material in readme-reader-files.ts, then run as written
  | 'synopsis' // alternatives (`a | b`), [optional] parts or ID placeholders: not one literal command
  | 'slow'; // offline, but minutes of work on 2 cores

/** Keyed by the command without its trailing `# comment`. Reviewed by hand: keep it that way. */
const CLASSIFIED: Record<string, Class> = {
  'npm ci && npm start': 'install',
  'npm test': 'suite',
  'shenbi apikeys create --tenant studio-a --scopes generate,jobs:read --rate 60 --quota-tokens 200000': 'runs',
  'shenbi serve --host 0.0.0.0': 'server',
  'shenbi apikeys list / shenbi apikeys revoke key_…': 'synopsis',
  "curl -H \"Authorization: Bearer $KEY\" -H 'content-type: video/mp4' --data-binary @clip.mp4 'http://127.0.0.1:8787/api/uploads?name=clip.mp4'": 'server',
  'shenbi --help': 'runs',
  'shenbi run showcase --set recipient=妈妈 --set wish=身体健康': 'runs',
  'shenbi run blessing-card --input \'{"recipient":"Ada","wish":"success at work","seed":7}\' --json': 'runs',
  'shenbi run ./my-pipeline.json --input input.json': 'reader-files',
  'shenbi generate image "Mid-Autumn night market" --set width=1280 --set height=720': 'runs',
  'shenbi models pull qwen2.5-0.5b-instruct': 'network',
  'shenbi generate text "给妈妈写一段生日祝福" --set style=poetic': 'model',
  'shenbi generate text "a cat on a roof" --set mode=expand --set count=4 --set target=image': 'model',
  'shenbi generate text "写一封邀请邮件" --set style=email --set model=qwen:qwen-plus': 'network',
  'shenbi generate code "sum of a list" --input \'{"examples":[{"input":[[1,2,3]],"output":6}]}\'': 'model',
  'shenbi generate speech "你好，世界。Hello world." --set format=mp3': 'runs',
  'shenbi run blessing-song --set recipient=妈妈 --set wish=身体健康 --set mood=festive': 'model',
  'shenbi run song --set lyrics="新年快乐|万事如意" --set vocals=sung': 'runs',
  // The NPC's reply is written by the default text model (qwen2.5-0.5b-instruct).
  'shenbi npc say --scene npc.json "我现在在哪，我应该做什么？"': 'model',
  'shenbi generate transcription talk.wav --set transcript="$(cat talk.txt)" --set format=srt': 'reader-files',
  'shenbi generate transcription talk.wav --set language=zh': 'model', // recognition: whisper-base
  'shenbi run lyric-video --set lyrics="新年快乐|万事如意" --set aspect=9:16': 'runs',
  'shenbi run short --set script="雨中的城市\\n下雨了，街上的人撑起了伞。\\n雨停了，天边出现了彩虹。"': 'runs',
  'shenbi run article-to-video --set article="$(cat post.txt)" --set scenes=5': 'model', // the script step: the default text model
  'shenbi generate video --set source=clip.mp4 --set operation=subtitles': 'model', // no script given: whisper-base recognises the speech
  'shenbi generate video --set source=./material --set operation=folder --set script="$(cat script.txt)"': 'reader-files',
  'shenbi generate image "a red lantern" --set model=openai:gpt-image-1': 'network',
  'shenbi generate vision sign.png --set mode=ocr': 'reader-files',
  'shenbi run talking-head --set portrait=me.jpg --set text="大家好，欢迎收看今天的节目。" --set consent=\'{"subject":"me","basis":"self"}\'': 'reader-files',
  'shenbi generate science "Integrate x^2 from 0 to 3" --set check=9': 'model',
  'shenbi generate 3d "一盏红灯笼"': 'runs',
  'shenbi generate motion "walk forward 3 meters, turn left 90 degrees, then wave the right hand" --set format=bvh': 'runs',
  'shenbi tasks list': 'runs',
  'shenbi pipelines list | show ID': 'synopsis',
  'shenbi jobs list | show ID | cancel ID | recover | rm ID': 'synopsis',
  'shenbi artifacts list | show ID | export ID FILE | rm ID...': 'synopsis',
  'shenbi gc [--older-than 600]': 'synopsis',
  'shenbi models catalog | list | pull NAME|URL | rm NAME | import PATH | voices': 'synopsis',
  'shenbi verify out.png song.mp3 video.mp4 --require implicit,trusted': 'reader-files',
  'shenbi keys init | show': 'synopsis',
  'shenbi artifacts show ID --provenance': 'synopsis',
  'shenbi serve': 'server',
  'npm run bench:jobs': 'benchmark',
  'npm run bench:text': 'benchmark',
  'npm run bench:music': 'benchmark',
  'npm run bench:server': 'benchmark',
  'npm run bench:image': 'benchmark',
  'npm run bench:trust': 'benchmark',
  'npm run bench:c2pa': 'benchmark',
  'npm run bench:npc': 'benchmark',
  'npm run bench:soak': 'benchmark',
  'npm run bench:fuzz': 'benchmark',
  'npm run bench:3d': 'benchmark',
  'npm run bench:motion': 'benchmark',
  'npm run bench:talking-head': 'benchmark',
  'npm run bench:short': 'benchmark',
  'npm run bench:scale': 'benchmark',
  'npm run bench:speech': 'benchmark',
  'npm run bench:video': 'benchmark',
  'npm run bench:serving': 'benchmark',
  'npm run bench:job-latency': 'benchmark',
};

interface ReadmeCommand {
  /** The line exactly as the README shows it, comment included. */
  line: string;
  /** The command without its trailing comment: the key into CLASSIFIED. */
  command: string;
}

/** Every non-empty line of every ```sh / ```bash block. */
function readmeCommands(markdown: string): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  for (const block of markdown.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```$/gm)) {
    for (const line of (block[1] ?? '').split('\n')) {
      if (line.trim() === '') continue;
      // A comment starts at " #" outside quotes; the README's commands keep # out of their quotes.
      const command = line.replace(/\s+#\s.*$/, '').trim();
      commands.push({ line, command });
    }
  }
  return commands;
}

const readme = await readFile(join(REPO, 'README.md'), 'utf8');
const commands = readmeCommands(readme);

test('every README shell command is classified, and every classification is still in the README', () => {
  assert.ok(commands.length >= 40, `found only ${commands.length} commands: did the README's code fences change?`);
  const unclassified = commands.filter((c) => CLASSIFIED[c.command] === undefined).map((c) => c.command);
  assert.deepEqual(unclassified, [], 'classify these README commands in test/docs/readme.test.ts');
  const present = new Set(commands.map((c) => c.command));
  const stale = Object.keys(CLASSIFIED).filter((command) => !present.has(command));
  assert.deepEqual(stale, [], 'these classified commands are no longer in the README: remove them');
  const readerFiles = Object.keys(CLASSIFIED).filter((command) => CLASSIFIED[command] === 'reader-files');
  assert.deepEqual(readerFiles.filter((command) => READER_FILES[command] === undefined), [], 'give these commands stand-in files in readme-reader-files.ts');
  assert.deepEqual(Object.keys(READER_FILES).filter((command) => CLASSIFIED[command] !== 'reader-files'), [], 'stand-in files for commands not classified reader-files');
});

let work = '';
let env: NodeJS.ProcessEnv = {};
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'shenbi-readme-'));
  // `shenbi` on PATH as `npm install -g` or `npm link` puts it: the package's own bin entry.
  const manifest = z.object({ bin: z.object({ shenbi: z.string() }) }).parse(JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')));
  const binDir = join(work, 'bin');
  await mkdir(binDir);
  await symlink(resolve(REPO, manifest.bin.shenbi), join(binDir, 'shenbi'));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SHENBI_')));
  env = { ...inherited, PATH: `${binDir}:${process.env.PATH ?? ''}`, SHENBI_HOME: join(work, 'home'), FORCE_COLOR: '0' };
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

function bash(line: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', ['-c', line], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status, stdout, stderr }));
  });
}

async function shenbi(args: string[]): Promise<string> {
  const quoted = args.map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
  const result = await bash(`shenbi ${quoted}`);
  assert.equal(result.status, 0, `shenbi ${args.join(' ')}: exit ${result.status}\n${result.stderr.slice(-2000)}`);
  return result.stdout;
}

/** What each README command printed, for later ones that use what it made (verify). */
const printed = new Map<string, string>();
function printedBy(prefix: string): string {
  const command = [...printed.keys()].find((c) => c.startsWith(prefix));
  assert.ok(command !== undefined, `no earlier README command starts with ${prefix}`);
  return printed.get(command) ?? '';
}

// In README order, one home for all, as a reader following it would (verify reads what the
// earlier commands made). The timeout only ends a hung command: on a heavily loaded 2-core
// machine (CI may be busy) the speech, song, lyric-video, short and 3D commands ran past 180 s.
for (const { line, command } of commands.filter((c) => CLASSIFIED[c.command] === 'runs' || CLASSIFIED[c.command] === 'reader-files')) {
  test(`README: ${command}`, { timeout: 600_000 }, async () => {
    const readerFiles = READER_FILES[command];
    await readerFiles?.prepare({ work, stdout: '', shenbi, printedBy });
    const result = await bash(line);
    assert.equal(result.status, 0, `exit ${result.status}\n${result.stderr.slice(-2000)}`);
    assert.doesNotMatch(result.stderr, /^error\[/m, result.stderr);
    printed.set(command, result.stdout);
    await readerFiles?.check({ work, stdout: result.stdout, shenbi, printedBy });
  });
}
