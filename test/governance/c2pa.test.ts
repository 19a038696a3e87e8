import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { ShenbiError } from '../../src/core/errors.ts';
import type { Provenance } from '../../src/core/provenance.ts';
import { c2paSignHook } from '../../src/governance/c2pa/hook.ts';
import { initSigningKeys, KEY_FILES, loadSigningKeys, type SigningKeys } from '../../src/governance/c2pa/keys.ts';
import { readC2pa } from '../../src/governance/c2pa/read.ts';
import { signC2pa, warmUpC2pa } from '../../src/governance/c2pa/sign.ts';
import { classifySource, COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA, TRAINED_ALGORITHMIC_MEDIA } from '../../src/governance/c2pa/source-type.ts';
import { C2paSigningWorker } from '../../src/governance/c2pa/worker/signing-worker.ts';
import { composeGovernance } from '../../src/governance/hook.ts';
import { implicitLabelRecord } from '../../src/governance/implicit-record.ts';
import { implicitLabelHook, readImplicitLabels } from '../../src/governance/implicit/index.ts';
import { TESTDATA } from '../helpers/testdata.ts';

const GENERATOR = { name: 'shenbi-test', version: '9.9.9' };

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, `ffmpeg ${args.join(' ')}: ${r.stderr}`);
}

/** Duration as ffprobe reads it: the signed file must still be a playable file. */
function ffprobeDuration(bytes: Uint8Array, dir: string, name: string): number {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

function provenance(inputs: Record<string, unknown>): Provenance {
  const now = new Date().toISOString();
  return { task: 'image', inputs, engine: { id: 'test', version: '1' }, model: null, parameters: {}, seed: null, parents: [], timings: { startedAt: now, finishedAt: now, durationMs: 0 } };
}

describe('C2PA: local keys, signing and validation', () => {
  let dir: string;
  let keys: SigningKeys;
  let otherKeys: SigningKeys;
  const media: Record<string, Uint8Array> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shenbi-c2pa-'));
    keys = await initSigningKeys(join(dir, 'keys'));
    otherKeys = await initSigningKeys(join(dir, 'other-keys'));
    const picture = sharp({ create: { width: 320, height: 180, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } });
    media['image/png'] = await picture.clone().png().toBuffer();
    media['image/jpeg'] = await picture.clone().jpeg().toBuffer();
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', join(dir, 'in.mp4')]);
    ffmpeg(['-i', join(TESTDATA, 'jfk.wav'), '-t', '3', '-c:a', 'libmp3lame', '-b:a', '64k', join(dir, 'in.mp3')]);
    media['video/mp4'] = readFileSync(join(dir, 'in.mp4'));
    media['audio/mpeg'] = readFileSync(join(dir, 'in.mp3'));
    media['audio/wav'] = readFileSync(join(TESTDATA, 'jfk.wav'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('keys init writes the CA and signer; private keys are 0600 and never silently replaced', async () => {
    const keyDir = join(dir, 'keys');
    for (const file of [KEY_FILES.caKey, KEY_FILES.signerKey]) assert.equal(statSync(join(keyDir, file)).mode & 0o777, 0o600, file);
    assert.match(readFileSync(join(keyDir, KEY_FILES.signerCertificate), 'utf8'), /^-----BEGIN CERTIFICATE-----/);
    assert.ok(keys.signerCertificate.verify(keys.caCertificate.publicKey), 'the signer is issued by the CA');
    assert.equal(keys.caCertificate.ca, true);
    assert.equal(keys.signerCertificate.ca, false);
    assert.ok(keys.signerCertificate.keyUsage?.includes('1.3.6.1.5.5.7.3.4'), 'emailProtection EKU');

    const before = readFileSync(join(keyDir, KEY_FILES.signerKey), 'utf8');
    await assert.rejects(initSigningKeys(keyDir), (e: unknown) => e instanceof ShenbiError && e.code === 'INVALID_INPUT' && /--force/.test(e.hint ?? ''));
    assert.equal(readFileSync(join(keyDir, KEY_FILES.signerKey), 'utf8'), before, 'a refused init leaves the key alone');

    const forcedDir = join(dir, 'forced');
    const first = await initSigningKeys(forcedDir);
    const second = await initSigningKeys(forcedDir, { force: true });
    assert.notEqual(first.signerCertificate.fingerprint256, second.signerCertificate.fingerprint256);
    assert.equal((await loadSigningKeys(forcedDir)).signerCertificate.fingerprint256, second.signerCertificate.fingerprint256, 'the cache follows the files');

    await assert.rejects(loadSigningKeys(join(dir, 'nowhere')), (e: unknown) => e instanceof ShenbiError && e.code === 'SIGNING_KEYS_MISSING' && e.hint === 'shenbi keys init');
  });

  test('racing first uses create one consistent key set (no signer from one run and CA from another); a partial set says keys init', async () => {
    const raceDir = join(dir, 'race');
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => initSigningKeys(raceDir)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'exactly one creator');
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as ShenbiError).code, 'INVALID_INPUT');
    const loaded = await loadSigningKeys(raceDir);
    assert.ok(loaded.signerCertificate.verify(loaded.caCertificate.publicKey));
    assert.ok(loaded.signerCertificate.checkPrivateKey(loaded.privateKey));

    rmSync(join(raceDir, KEY_FILES.signerCertificate));
    await assert.rejects(loadSigningKeys(raceDir), (e: unknown) => e instanceof ShenbiError && e.code === 'SIGNING_KEYS_MISSING' && /^shenbi keys init/.test(e.hint ?? ''));
  });

  for (const [mimeType, name] of [
    ['image/png', 'a.png'],
    ['image/jpeg', 'a.jpg'],
    ['video/mp4', 'a.mp4'],
    ['audio/wav', 'a.wav'],
    ['audio/mpeg', 'a.mp3'],
  ] as const) {
    test(`${mimeType}: signed, Trusted with the CA as anchor, Valid without, another CA is not trusted`, async () => {
      const input = media[mimeType]!;
      const result = await signC2pa(input, mimeType, { keys, title: name, claimGenerator: GENERATOR });
      assert.ok(result.signed);
      assert.ok(result.bytes.byteLength > input.byteLength);
      assert.match(result.manifestLabel, /^urn:c2pa:[0-9a-f-]{36}$/);

      const trusted = await readC2pa(result.bytes, mimeType, { trustAnchors: [keys.caPem] });
      assert.equal(trusted.state, 'Trusted', trusted.reasons.join(', '));
      assert.deepEqual(trusted.reasons, []);
      assert.equal(trusted.activeManifest?.label, result.manifestLabel);
      assert.equal(trusted.activeManifest?.title, name);
      assert.equal(trusted.activeManifest?.claimGenerator, 'shenbi-test/9.9.9');
      assert.deepEqual(trusted.activeManifest?.actions, [{ action: 'c2pa.created', digitalSourceType: TRAINED_ALGORITHMIC_MEDIA, softwareAgent: 'shenbi-test/9.9.9' }]);
      assert.equal(trusted.activeManifest?.digitalSourceType, TRAINED_ALGORITHMIC_MEDIA);

      assert.equal((await readC2pa(result.bytes, mimeType)).state, 'Valid');
      const stranger = await readC2pa(result.bytes, mimeType, { trustAnchors: [otherKeys.caPem] });
      assert.notEqual(stranger.state, 'Trusted');
      assert.ok(stranger.reasons.includes('signingCredential.untrusted'), stranger.reasons.join(', '));

      if (mimeType.startsWith('image/')) {
        const meta = await sharp(Buffer.from(result.bytes)).metadata();
        assert.deepEqual([meta.width, meta.height], [320, 180], 'the image still decodes');
      } else {
        const ext = name.slice(name.lastIndexOf('.'));
        assert.ok(Math.abs(ffprobeDuration(result.bytes, dir, `signed${ext}`) - ffprobeDuration(input, dir, `orig${ext}`)) < 0.05, 'the media still decodes at its length');
      }
    });
  }

  test('exiftool (independent of c2pa-rs) finds the JUMBF manifest and its action in PNG and JPEG', async (t) => {
    if (spawnSync('exiftool', ['-ver']).status !== 0) return t.skip('exiftool is not installed');
    for (const [mimeType, ext] of [['image/png', 'png'], ['image/jpeg', 'jpg']] as const) {
      const result = await signC2pa(media[mimeType]!, mimeType, { keys, claimGenerator: GENERATOR });
      assert.ok(result.signed);
      const path = join(dir, `exif.${ext}`);
      writeFileSync(path, result.bytes);
      const out = spawnSync('exiftool', ['-s', '-G1', '-JUMBF:JUMDLabel', '-CBOR:ActionsAction', '-CBOR:ActionsDigitalSourceType', path], { encoding: 'utf8' }).stdout;
      assert.match(out, /JUMDLabel\s*:\s*c2pa/);
      assert.match(out, /ActionsAction\s*:\s*c2pa\.created/);
      assert.ok(out.includes(TRAINED_ALGORITHMIC_MEDIA), out);
    }
  });

  test('one flipped byte in the picture data: Invalid, assertion.dataHash.mismatch; in the MP4 media data: bmffHash.mismatch', async () => {
    const png = await signC2pa(media['image/png']!, 'image/png', { keys, claimGenerator: GENERATOR });
    assert.ok(png.signed);
    const tampered = Buffer.from(png.bytes);
    const idat = tampered.indexOf('IDAT');
    assert.ok(idat > 0);
    tampered[idat + 20]! ^= 0x01;
    const bad = await readC2pa(tampered, 'image/png', { trustAnchors: [keys.caPem] });
    assert.equal(bad.present, true);
    assert.equal(bad.state, 'Invalid');
    assert.ok(bad.reasons.includes('assertion.dataHash.mismatch'), bad.reasons.join(', '));

    const mp4 = await signC2pa(media['video/mp4']!, 'video/mp4', { keys, claimGenerator: GENERATOR });
    assert.ok(mp4.signed);
    const video = Buffer.from(mp4.bytes);
    video[video.indexOf('mdat') + 200]! ^= 0x01;
    const badVideo = await readC2pa(video, 'video/mp4', { trustAnchors: [keys.caPem] });
    assert.equal(badVideo.state, 'Invalid');
    assert.ok(badVideo.reasons.includes('assertion.bmffHash.mismatch'), badVideo.reasons.join(', '));
  });

  test('an edit of user media: c2pa.opened of the source, then c2pa.edited with compositeWithTrainedAlgorithmicMedia', async () => {
    const result = await signC2pa(media['image/jpeg']!, 'image/jpeg', {
      keys,
      claimGenerator: GENERATOR,
      action: 'c2pa.edited',
      digitalSourceType: COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA,
      sourceTitle: 'holiday.jpg',
    });
    assert.ok(result.signed);
    assert.equal(result.action, 'c2pa.edited');
    const read = await readC2pa(result.bytes, 'image/jpeg', { trustAnchors: [keys.caPem] });
    assert.equal(read.state, 'Trusted', read.reasons.join(', '));
    assert.deepEqual(
      read.activeManifest?.actions.map((a) => a.action),
      ['c2pa.opened', 'c2pa.edited'],
    );
    assert.equal(read.activeManifest?.digitalSourceType, COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA);
  });

  test('unsupported types come back unchanged with a record; unsigned files read as None', async () => {
    for (const mimeType of ['text/plain; charset=utf-8', 'audio/ogg', 'model/gltf-binary']) {
      const bytes = Buffer.from('not signable');
      const result = await signC2pa(bytes, mimeType, { keys, claimGenerator: GENERATOR });
      assert.equal(result.signed, false);
      assert.equal(result.bytes, bytes);
      assert.deepEqual(result.signed ? null : result.reason, 'unsupported-format');
    }
    const plain = await readC2pa(media['image/png']!, 'image/png');
    assert.deepEqual(plain, { present: false, state: 'None', reasons: [], activeManifest: null });
  });

  test('hook: signs last after the other hooks, picks created vs edited from provenance, skips unsupported types', async () => {
    const governance = composeGovernance(implicitLabelRecord('Shenbi'), c2paSignHook({ keys, claimGenerator: GENERATOR }));
    const base = { kind: 'image' as const, mimeType: 'image/png', bytes: media['image/png']!, name: 'card.png' };

    const generated = await governance.review({ ...base, id: 'art_generated', provenance: provenance({ prompt: 'a red lantern' }) });
    const label = generated.labels.find((l) => l.type === 'c2pa');
    assert.deepEqual(label && { ...label, value: { ...(label.value as object), manifestLabel: 'x' } }, {
      type: 'c2pa',
      placement: 'jumbf',
      value: { manifestLabel: 'x', action: 'c2pa.created', digitalSourceType: TRAINED_ALGORITHMIC_MEDIA },
    });
    assert.equal(generated.labels.length, 3, 'the implicit labels are kept');
    const read = await readC2pa(generated.bytes, 'image/png', { trustAnchors: [keys.caPem] });
    assert.equal(read.state, 'Trusted');
    assert.equal(read.activeManifest?.label, (label?.value as { manifestLabel: string }).manifestLabel);
    assert.equal(read.activeManifest?.title, 'card.png');

    const edited = await governance.review({ ...base, id: 'art_edited', provenance: provenance({ image: '/home/user/photo.png', prompt: 'make it snow' }) });
    const editRead = await readC2pa(edited.bytes, 'image/png', { trustAnchors: [keys.caPem] });
    assert.equal(editRead.state, 'Trusted', editRead.reasons.join(', '));
    assert.equal(editRead.activeManifest?.digitalSourceType, COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA);
    assert.equal((edited.labels.find((l) => l.type === 'c2pa')?.value as { action: string }).action, 'c2pa.edited');

    const text = Buffer.from('hello');
    const unsupported = await governance.review({ ...base, id: 'art_text', kind: 'text', mimeType: 'text/plain', bytes: text, provenance: provenance({}) });
    assert.equal(unsupported.bytes, text);
    assert.equal(unsupported.labels.some((l) => l.type === 'c2pa'), false);

    const keyless = c2paSignHook({ keys: () => loadSigningKeys(join(dir, 'nowhere')), claimGenerator: GENERATOR });
    await assert.rejects(keyless.review({ ...base, id: 'art_x', provenance: provenance({}) }), (e: unknown) => e instanceof ShenbiError && e.code === 'GOVERNANCE_REFUSED' && e.hint === 'shenbi keys init');
  });

  test('implicit labels then C2PA: each file carries both, the AIGC label still reads and the signature is Trusted', async () => {
    const governance = composeGovernance(implicitLabelHook({ producer: 'Shenbi' }), c2paSignHook({ keys, claimGenerator: GENERATOR }));
    for (const mimeType of ['image/png', 'image/jpeg', 'video/mp4', 'audio/wav', 'audio/mpeg'] as const) {
      const kind = mimeType.startsWith('image/') ? 'image' : mimeType.startsWith('video/') ? 'video' : 'audio';
      const out = await governance.review({ id: 'art_both', kind, mimeType, bytes: media[mimeType]!, name: null, provenance: provenance({ prompt: 'x' }) });
      const implicit = readImplicitLabels(out.bytes, mimeType);
      assert.ok(implicit.valid, `${mimeType}: ${implicit.problems.join('; ')}`);
      assert.match(String(implicit.labels[0]?.label?.ProduceID), /^pid_[0-9a-f]{32}$/);
      const c2pa = await readC2pa(out.bytes, mimeType, { trustAnchors: [keys.caPem] });
      assert.equal(c2pa.state, 'Trusted', `${mimeType}: ${c2pa.reasons.join(', ')}`);
      assert.equal(c2pa.activeManifest?.digitalSourceType, implicit.digitalSourceType, 'the signed and the embedded source types agree');
    }
  });

  test('the signing worker takes bytes an earlier hook made by moving them, never the caller\'s own', async () => {
    const original = media['video/mp4']!;
    const before = Buffer.from(original).toString('base64');
    const made: Uint8Array[] = [];
    // Stands in for the implicit label: returns a fresh copy, which is governance's own.
    const copying = { name: 'copy', review: async (c: { bytes: Uint8Array }) => { const own = new Uint8Array(c.bytes); made.push(own); return { bytes: own, labels: [] }; } };
    const passing = { name: 'pass', review: async (c: { bytes: Uint8Array }) => ({ bytes: c.bytes, labels: [] }) };
    const viewing = { name: 'view', review: async (c: { bytes: Uint8Array }) => ({ bytes: new Uint8Array(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength), labels: [] }) };
    const sign = c2paSignHook({ keys, claimGenerator: GENERATOR, offThreadMinBytes: 0 });
    const candidate = (id: string) => ({ id, kind: 'video' as const, mimeType: 'video/mp4', bytes: original, name: 'clip.mp4', provenance: provenance({ prompt: 'x' }) });
    const moved = await composeGovernance(copying, sign).review(candidate('art_moved'));
    assert.equal(made[0]!.byteLength, 0, 'the hook-made copy moved to the signing thread (detached here)');
    assert.equal((await readC2pa(moved.bytes, 'video/mp4', { trustAnchors: [keys.caPem] })).state, 'Trusted');
    for (const chain of [[passing, sign], [viewing, sign], [sign]]) {
      const out = await composeGovernance(...chain).review(candidate(`art_${chain[0]!.name}`));
      assert.equal((await readC2pa(out.bytes, 'video/mp4', { trustAnchors: [keys.caPem] })).state, 'Trusted');
    }
    assert.equal(Buffer.from(original).toString('base64'), before, "the caller's bytes are untouched and still here");
  });

  test('an edit of user media is a path or URL input (the implicit label\'s rule); artifact ids and prompts are not', () => {
    const action = (inputs: Record<string, unknown>) => classifySource(provenance(inputs)).action;
    assert.equal(action({ prompt: 'a cat at /home/mat.png', video: 'art_0abc' }), 'c2pa.created');
    assert.equal(action({ video: '/srv/media/clip.mp4' }), 'c2pa.edited');
    assert.equal(action({ audio: 'https://example.com/song.mp3' }), 'c2pa.edited');
    assert.deepEqual(classifySource(provenance({ images: ['art_1', '/tmp/me.jpg'] })), { action: 'c2pa.edited', digitalSourceType: COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA });
  });

  test('warm-up signs without error; a warming hook with missing keys fails only on the write', async () => {
    await warmUpC2pa(keys);
    const hook = c2paSignHook({ keys: () => loadSigningKeys(join(dir, 'nowhere')), claimGenerator: GENERATOR, warmUp: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await assert.rejects(hook.review({ id: 'art_w', kind: 'image', mimeType: 'image/png', bytes: media['image/png']!, name: null, provenance: provenance({}) }), /GOVERNANCE_REFUSED|signing failed/);
  });

  test('signing worker: same results off the main thread, errors keep their code, and the event loop keeps turning', async (t) => {
    const worker = new C2paSigningWorker();
    try {
      ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=44100', '-t', '80', '-c:a', 'pcm_s16le', join(dir, 'big.wav')]);
      const big = readFileSync(join(dir, 'big.wav')); // 7 MB
      await worker.warmUp({ keys, claimGenerator: GENERATOR });

      let maxLag = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        maxLag = Math.max(maxLag, now - last - 5);
        last = now;
      }, 5);
      const started = performance.now();
      const off = await worker.sign(big, 'audio/wav', { keys, claimGenerator: GENERATOR, title: 'big.wav' });
      const offMs = performance.now() - started;
      clearInterval(timer);
      assert.ok(off.signed);
      const read = await readC2pa(off.bytes, 'audio/wav', { trustAnchors: [keys.caPem] });
      assert.equal(read.state, 'Trusted', read.reasons.join(', '));
      assert.equal(read.activeManifest?.title, 'big.wav');

      const inProcessStart = performance.now();
      await signC2pa(big, 'audio/wav', { keys, claimGenerator: GENERATOR });
      const inProcessMs = performance.now() - inProcessStart;
      t.diagnostic(`${(big.length / 1e6).toFixed(1)} MB WAV: worker ${offMs.toFixed(0)} ms with the main loop's worst lag ${maxLag.toFixed(0)} ms; in-process ${inProcessMs.toFixed(0)} ms, all of it blocking`);

      const unsupported = await worker.sign(Buffer.from('x'), 'text/plain', { keys, claimGenerator: GENERATOR });
      assert.equal(unsupported.signed, false);
      const missingKeys = { ...keys, dir: join(dir, 'nowhere') };
      await assert.rejects(worker.sign(media['image/png']!, 'image/png', { keys: missingKeys, claimGenerator: GENERATOR }), (e: unknown) => e instanceof ShenbiError && e.code === 'SIGNING_KEYS_MISSING' && e.hint === 'shenbi keys init');

      const hook = composeGovernance(c2paSignHook({ keys, claimGenerator: GENERATOR, offThreadMinBytes: 0 }));
      const viaHook = await hook.review({ id: 'art_off', kind: 'video', mimeType: 'video/mp4', bytes: media['video/mp4']!, name: 'clip.mp4', provenance: provenance({ prompt: 'x' }) });
      assert.equal((await readC2pa(viaHook.bytes, 'video/mp4', { trustAnchors: [keys.caPem] })).state, 'Trusted');
      assert.equal(viaHook.labels[0]?.type, 'c2pa');
    } finally {
      await worker.close();
    }
  });
});

test('certificate serial numbers are always valid DER (no zero first byte: 1 in 128 keys used to be unreadable)', async () => {
  const { buildCertificate } = await import('../../src/governance/c2pa/certificate.ts');
  const { generateKeyPairSync, X509Certificate } = await import('node:crypto');
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  for (let i = 0; i < 600; i++) {
    const cert = buildCertificate({ commonName: 'serial test', organization: 'Shenbi', publicKey: key.publicKey, issuerKey: key.privateKey, isCa: true, validDays: 1 });
    const parsed = new X509Certificate(cert.der);
    assert.match(parsed.serialNumber, /^[4-7][0-9A-F]/, parsed.serialNumber);
  }
});
