import { NodeIO, type Document } from '@gltf-transform/core';
import { ShenbiError } from '../../core/errors.ts';

const GLB_MAGIC = 0x46546c67; // 'glTF'
const DATA_URI = /^data:[^;,]*(;base64)?,/;

function refused(spec: string, message: string, cause?: unknown): ShenbiError {
  return new ShenbiError('MEDIA_INVALID', `${spec}: the provider's model file ${message}; nothing was stored`, cause === undefined ? {} : { cause });
}

/** glTF JSON with every buffer and image embedded as a data URI (a lone .gltf file has nothing beside it). */
async function readGltfJson(io: NodeIO, bytes: Uint8Array, spec: string): Promise<Document> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw refused(spec, 'is neither a GLB nor glTF JSON', error);
  }
  const asset = (json as { asset?: { version?: unknown } } | null)?.asset;
  if (typeof json !== 'object' || json === null || Array.isArray(json) || typeof asset?.version !== 'string') throw refused(spec, 'is JSON but not a glTF asset');
  const external = [...((json as { buffers?: { uri?: unknown }[] }).buffers ?? []), ...((json as { images?: { uri?: unknown }[] }).images ?? [])].some(
    (entry) => typeof entry.uri === 'string' && !DATA_URI.test(entry.uri),
  );
  if (external) throw refused(spec, 'is glTF JSON that points at files beside it (ask for GLB)');
  return io.readJSON({ json: json as Parameters<NodeIO['readJSON']>[0]['json'], resources: {} });
}

/**
 * Parses a provider's file as glTF 2.0 (GLB, or glTF JSON with embedded data) with
 * @gltf-transform/core and requires at least one mesh with triangles' positions: a renamed
 * ZIP, an HTML error page, a truncated download or an empty scene is refused here, before
 * anything is stored.
 */
export async function validateModelFile(bytes: Uint8Array, spec: string): Promise<{ format: 'glb' | 'gltf'; meshes: number; document: Document }> {
  if (bytes.byteLength < 20) throw refused(spec, `is ${bytes.byteLength} bytes, too short to be a model`);
  const io = new NodeIO();
  const isGlb = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true) === GLB_MAGIC;
  let document: Document;
  try {
    if (isGlb) {
      const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
      if (declared !== bytes.byteLength) throw refused(spec, `is a GLB that declares ${declared} bytes but has ${bytes.byteLength} (truncated or padded)`);
      document = await io.readBinary(bytes);
    } else {
      document = await readGltfJson(io, bytes, spec);
    }
  } catch (error) {
    if (error instanceof ShenbiError) throw error;
    throw refused(spec, `does not parse as glTF: ${(error as Error).message}`, error);
  }
  const meshes = document.getRoot().listMeshes();
  const drawable = meshes.filter((mesh) => mesh.listPrimitives().some((p) => (p.getAttribute('POSITION')?.getCount() ?? 0) > 0));
  if (drawable.length === 0) throw refused(spec, 'has no mesh with vertices');
  return { format: isGlb ? 'glb' : 'gltf', meshes: drawable.length, document };
}

/** validateModelFile's verdict without the parsed document: what crosses back from a worker thread. */
export async function checkModelFile(bytes: Uint8Array, spec: string): Promise<{ format: 'glb' | 'gltf'; meshes: number }> {
  const { format, meshes } = await validateModelFile(bytes, spec);
  return { format, meshes };
}
