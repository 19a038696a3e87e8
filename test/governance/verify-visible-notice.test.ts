import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { labelImage } from '../../src/governance/explicit/image.ts';
import { verifyLabels } from '../../src/governance/verify/verify-bytes.ts';

test('a re-encoded PNG that still shows the mark: verify does not claim "no visible notice", it says a notice in the picture is not machine-checkable', async () => {
  const picture = await sharp({ create: { width: 480, height: 320, channels: 3, background: '#3a7d44' } }).png().toBuffer();
  const { bytes } = await labelImage(picture, { wording: 'AI生成', corner: 'top-left', inkRatio: 0.06 });
  // What a chat app or an editor does: decode and encode again, metadata gone, pixels (and the mark) kept.
  const reencoded = await sharp(bytes).png({ compressionLevel: 9 }).toBuffer();
  const { data: marked } = await sharp(reencoded).extract({ left: 0, top: 0, width: 240, height: 120 }).greyscale().raw().toBuffer({ resolveWithObject: true });
  assert.ok(marked.some((v) => v > 200) && marked.some((v) => v < 60), 'the white-on-dark mark is still in the corner');
  const result = await verifyLabels(reencoded);
  assert.equal(result.verdict, 'unlabeled', 'no machine-readable label is left');
  assert.ok(!result.problems.some((p) => /no visible notice/.test(p)), result.problems.join('; '));
  assert.ok(result.problems.some((p) => /not machine-checkable/.test(p)), result.problems.join('; '));
});

test('plain text without any notice still says "no visible notice" (text is searched for one)', async () => {
  const result = await verifyLabels(Buffer.from('Just some words someone wrote.\n', 'utf8'));
  assert.ok(result.problems.some((p) => /no visible notice/.test(p)), result.problems.join('; '));
});
