import { readdirSync } from 'node:fs';

/** The accelerator a worker declares (`shenbi worker` prints it when it is ready). */
export interface GpuDeclaration {
  vendor: 'nvidia';
  /** Device nodes found, e.g. ['/dev/nvidia0']. */
  devices: string[];
}

/**
 * An NVIDIA GPU when the driver's device nodes exist (/dev/nvidia0, /dev/nvidia1, …): one
 * directory listing, no process started (nvidia-smi takes ~100 ms and may be absent in a
 * container that still has the devices). Null when there is none or /dev cannot be read.
 */
export function detectGpu(devDir = '/dev'): GpuDeclaration | null {
  let names: string[];
  try {
    names = readdirSync(devDir);
  } catch {
    return null;
  }
  const devices = names
    .filter((name) => /^nvidia\d+$/.test(name))
    .sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)))
    .map((name) => `${devDir}/${name}`);
  return devices.length === 0 ? null : { vendor: 'nvidia', devices };
}
