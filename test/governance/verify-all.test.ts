import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { listPipelines } from '../../src/pipelines/registry.ts';
import { Shenbi } from '../../src/shenbi.ts';
import { writeTinySd } from '../fixtures/diffusion/build-tiny-sd.ts';
import { runCli } from '../helpers/cli.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const home = mkdtempSync(join(tmpdir(), 'shenbi-verify-all-'));
after(() => rmSync(home, { recursive: true, force: true }));

/**
 * Issue #8: every artifact any pipeline produces passes `shenbi verify`. One home runs every
 * built-in recipe and every task that has an offline engine here, then the CLI verifies
 * every stored artifact, demanding a valid implicit label and a Trusted C2PA manifest
 * wherever the format can carry one. A new recipe without an entry below fails the test.
 */
test('every artifact of every recipe and offline task passes shenbi verify (implicit label + trusted C2PA)', { timeout: 600_000 }, async () => {
  const env = { SHENBI_TEXT_MODEL: 'stories260k' };
  const shenbi = await Shenbi.open({ overrides: { home, defaultTextModel: 'stories260k', mediaRoots: [home, TESTDATA, tmpdir()] } });
  try {
    await shenbi.models.importFile(join(TESTDATA, 'stories260K.gguf'), { name: 'stories260k' });
    await writeTinySd(join(home, 'models', 'tiny-sd'));
    const clip = join(home, 'clip.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=480x270:rate=25:duration=3', '-i', join(TESTDATA, 'jfk.wav'), '-t', '3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', clip]);
    const folder = join(home, 'material');
    mkdirSync(folder);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(folder, 'a.mp4')]);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240', '-frames:v', '1', join(folder, 'b.png')]);
    const scene = { npc: { id: 'guide', name: '向导', persona: '帮助玩家的向导。', language: 'zh' }, world: 'Deadwood', quest: '找到钥匙', player: 'p1' };

    const recipes: Record<string, Record<string, unknown>> = {
      'blessing-card': { recipient: 'Mom', wish: 'good health' },
      'blessing-song': { recipient: '妈妈', wish: '身体健康', seed: 3 },
      song: { lyrics: '新年快乐\n万事如意', format: 'wav', vocals: 'spoken' },
      'lyric-video': { lyrics: '祝妈妈身体健康', title: '新年歌', aspect: '1:1' },
      'article-to-video': { article: 'Tea was first drunk in China. It spread along the trade roads.', scenes: 2, aspect: '16:9' },
      'npc-reply': { scene, message: '钥匙在哪里？' },
      'npc-item': { scene, message: '请给我打一把剑。', thumbnail: false },
      short: { script: '雨中的城市\n下雨了，街上的人撑起了伞。\n雨停了，天边出现了彩虹。', music: 'none' },
      'talking-head': { portrait: join(TESTDATA, 'portrait-astronaut.png'), text: 'Hello.', consent: { subject: 'Eileen Collins', basis: 'public-domain' }, blink: false },
    };
    assert.deepEqual(Object.keys(recipes).sort(), listPipelines().map((p) => p.id).sort(), 'every built-in recipe is exercised here');
    const tasks: [string, Record<string, unknown>][] = [
      ['text', { prompt: 'Once upon a time', maxTokens: 16 }],
      ['text', { prompt: 'a cat on a roof', mode: 'expand', count: 2, target: 'image', seed: 1 }],
      ['code', { prompt: 'add two numbers', samples: 2, examples: [{ input: [1, 2], output: 3 }] }],
      ['science', { question: 'What is 1+1?' }],
      ['speech', { text: '你好，世界。Hello world.', format: 'mp3' }],
      ['speech', { text: 'Labels on every format.', format: 'ogg' }],
      ['speech', { text: '无损音频。', format: 'flac' }],
      ['transcription', { audio: join(TESTDATA, 'jfk.wav'), transcript: 'And so, my fellow Americans: ask not what your country can do for you', format: 'vtt' }],
      ['music', { lyrics: '春风', format: 'mp3', vocals: 'spoken' }],
      ['image', { prompt: '新年快乐', format: 'jpeg', width: 512, height: 512 }],
      ['image', { prompt: 'a photo of a red cat', model: 'tiny-sd', width: 256, height: 256, steps: 1, format: 'webp' }],
      ['video', { source: clip, operation: 'subtitles', script: 'And so, my fellow Americans' }],
      ['video', { source: clip, operation: 'cover', title: '封面' }],
      ['video', { source: clip, operation: 'portrait', mode: 'blur' }],
      ['video', { source: folder, operation: 'folder', script: 'First the clip. Then the picture.', title: 'Short', aspect: '9:16' }],
      ['vision', { image: join(home, 'material', 'b.png'), mode: 'ocr' }],
    ];
    for (const [id, input] of Object.entries(recipes)) {
      const job = await shenbi.run(id, input);
      assert.equal(job.status, 'completed', `${id}: ${JSON.stringify(job.error)}`);
    }
    for (const [kind, input] of tasks) {
      const job = await shenbi.generate(kind, input);
      assert.equal(job.status, 'completed', `${kind} ${JSON.stringify(input)}: ${JSON.stringify(job.error)}`);
    }
    const artifacts = await shenbi.store.artifacts.list({ limit: 10_000 });
    const files = await Promise.all(artifacts.map((a) => shenbi.store.blobs.localPath(a.blobRef)));
    const kinds = new Set(artifacts.map((a) => a.mimeType.split(';')[0]));
    for (const mime of ['text/markdown', 'image/png', 'image/jpeg', 'image/webp', 'audio/wav', 'audio/mpeg', 'audio/ogg', 'audio/flac', 'audio/midi', 'video/mp4', 'application/json', 'text/vtt', 'application/x-lrc']) {
      assert.ok(kinds.has(mime), `a ${mime} artifact was produced (found ${[...kinds].join(', ')})`);
    }
    await shenbi.close();

    // Independently of the store's records: the CLI reads each file's bytes.
    const r = await runCli(['--json', 'verify', '--require', 'implicit,trusted', ...files], { home, env });
    const report = JSON.parse(r.stdout) as { ok: boolean; files: { file: string; mimeType: string; verdict: string; problems: string[]; c2pa: { supported: boolean; state: string } }[] };
    const stored = new Map(await Promise.all(artifacts.map(async (a) => [await shenbi.store.blobs.localPath(a.blobRef), `${a.kind} ${a.mimeType} ${a.name ?? ''} (step ${a.stepId})`] as const)));
    const failures = report.files.filter((f) => f.verdict !== 'labeled').map((f) => `${stored.get(f.file)} read as ${f.mimeType}: ${f.verdict}: ${f.problems.join('; ')}`);
    assert.deepEqual(failures, [], `${failures.length} of ${files.length} artifacts fail verify`);
    assert.equal(r.status, 0, r.stderr);
    const signed = report.files.filter((f) => f.c2pa.supported);
    assert.ok(signed.length >= 10 && signed.every((f) => f.c2pa.state === 'Trusted'));
    console.log(`# verified ${files.length} artifacts (${signed.length} C2PA-signed) across ${kinds.size} MIME types`);

    // The check can fail: one flipped byte in a signed picture is reported invalid, exit 4.
    const png = report.files.find((f) => f.mimeType === 'image/png')!;
    const tampered = join(home, 'tampered.png');
    const bytes = Buffer.from(execFileSync('cat', [png.file]));
    bytes[Math.floor(bytes.length * 0.6)]! ^= 0x01;
    writeFileSync(tampered, bytes);
    const bad = await runCli(['--json', 'verify', tampered], { home, env });
    assert.equal(bad.status, 4);
    assert.equal((JSON.parse(bad.stdout) as { files: { verdict: string }[] }).files[0]!.verdict, 'invalid');
  } finally {
    await shenbi.close().catch(() => {});
  }
});
