import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { detectGpu } from '../../src/jobs/gpu.ts';

test('detectGpu: the NVIDIA device nodes of a /dev, in order; control nodes alone are no GPU', async (t) => {
  const dev = await mkdtemp(join(tmpdir(), 'shenbi-dev-'));
  t.after(() => rm(dev, { recursive: true, force: true }));
  for (const name of ['nvidiactl', 'nvidia-uvm', 'null', 'nvidia-modeset']) await writeFile(join(dev, name), '');
  assert.equal(detectGpu(dev), null, 'driver control nodes without a device');
  for (const name of ['nvidia10', 'nvidia1', 'nvidia0']) await writeFile(join(dev, name), '');
  assert.deepEqual(detectGpu(dev), { vendor: 'nvidia', devices: [join(dev, 'nvidia0'), join(dev, 'nvidia1'), join(dev, 'nvidia10')] });
  assert.equal(detectGpu(join(dev, 'absent')), null, 'an unreadable /dev is no GPU');
  // This host: what it has (none on the CI machines).
  assert.equal(detectGpu()?.devices.includes('/dev/nvidia0') ?? false, existsSync('/dev/nvidia0'));
});
