import { NodeIO } from '@gltf-transform/core';
import { ShenbiError } from '../../core/errors.ts';

/** The formats a provider's model can be stored as here: glTF both ways; STL/3MF only from the local kernel. */
export type CloudModelFormat = 'glb' | 'gltf';

/**
 * Rewrites a checked glTF asset as the asked format: GLB as one binary file, glTF as one JSON
 * file with its buffers and images embedded as data URIs (nothing beside it to lose).
 * Same format: the provider's bytes as they are.
 */
export async function convertModel(bytes: Uint8Array, from: CloudModelFormat, to: CloudModelFormat): Promise<Uint8Array> {
  if (from === to) return bytes;
  const io = new NodeIO();
  try {
    if (to === 'glb') return await io.writeBinary(await io.readJSON({ json: JSON.parse(new TextDecoder().decode(bytes)), resources: {} }));
    const { json, resources } = await io.writeJSON(await io.readBinary(bytes));
    const embed = (entry: { uri?: string; mimeType?: string }, fallbackType: string) => {
      const data = entry.uri === undefined ? undefined : resources[entry.uri];
      if (data !== undefined) entry.uri = `data:${entry.mimeType ?? fallbackType};base64,${Buffer.from(data).toString('base64')}`;
    };
    for (const buffer of json.buffers ?? []) embed(buffer, 'application/octet-stream');
    for (const image of json.images ?? []) embed(image, 'image/png');
    return new TextEncoder().encode(JSON.stringify(json));
  } catch (error) {
    throw new ShenbiError('MEDIA_INVALID', `cannot rewrite the model as ${to}: ${(error as Error).message}`, { cause: error });
  }
}
