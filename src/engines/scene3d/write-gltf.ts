/**
 * glTF 2.0 from the built parts: one named node and mesh per part (positions, normals,
 * indices: already welded by the kernel), one PBR metallic-roughness material per program
 * material, de-duplicated and pruned by glTF-Transform. GLB is the binary container; .gltf is a single
 * JSON file with its buffer inlined as a data: URI, so either is one self-contained file.
 * Nothing time-dependent is written: the same parts give the same bytes.
 */
import { Document, Logger, NodeIO, type Material as GltfMaterial } from '@gltf-transform/core';
import { KHRMaterialsEmissiveStrength } from '@gltf-transform/extensions';
import { linearRgb } from './colour.ts';
import type { PartMesh } from './part-mesh.ts';
import type { Material, SceneProgram } from './scene-program.ts';

export const GLTF_GENERATOR = 'Shenbi';

function io(): NodeIO {
  return new NodeIO().setLogger(new Logger(Logger.Verbosity.ERROR)).registerExtensions([KHRMaterialsEmissiveStrength]);
}

export async function sceneDocument(program: SceneProgram, parts: readonly PartMesh[]): Promise<Document> {
  // glTF-Transform logs what prune removed (an unused material) to the console; only errors matter here.
  const document = new Document().setLogger(new Logger(Logger.Verbosity.ERROR));
  document.getRoot().getAsset().generator = GLTF_GENERATOR;
  const buffer = document.createBuffer('geometry');
  const scene = document.createScene(program.name);
  document.getRoot().setDefaultScene(scene);
  const materials = new Map<string, GltfMaterial>();
  for (const [name, material] of Object.entries(program.materials)) materials.set(name, gltfMaterial(document, name, material));
  for (const part of parts) {
    const { positions, normals, indices } = part.shaded;
    const primitive = document
      .createPrimitive()
      .setAttribute('POSITION', document.createAccessor(`${part.name} positions`).setType('VEC3').setArray(positions).setBuffer(buffer))
      .setAttribute('NORMAL', document.createAccessor(`${part.name} normals`).setType('VEC3').setArray(normals).setBuffer(buffer))
      .setIndices(document.createAccessor(`${part.name} indices`).setType('SCALAR').setArray(indices).setBuffer(buffer))
      .setMaterial(materials.get(part.material) ?? null);
    const mesh = document.createMesh(part.name).addPrimitive(primitive);
    scene.addChild(document.createNode(part.name).setMesh(mesh));
  }
  // No weld(): the kernel's meshes are already indexed with no two vertices alike (weld was a
  // measured no-op costing ~40 % of the writing time; the tests check the property instead).
  // Imported on use: @gltf-transform/functions pulls in sharp (for textures) at start-up otherwise.
  const { dedup, prune } = await import('@gltf-transform/functions');
  await document.transform(dedup(), prune());
  return document;
}

function gltfMaterial(document: Document, name: string, material: Material): GltfMaterial {
  const [r, g, b] = linearRgb(material.baseColor);
  const out = document
    .createMaterial(name)
    .setBaseColorFactor([r, g, b, material.opacity])
    .setMetallicFactor(material.metallic)
    .setRoughnessFactor(material.roughness);
  if (material.opacity < 1) out.setAlphaMode('BLEND').setDoubleSided(true);
  if (material.emissive !== undefined) {
    const strength = material.emissiveStrength ?? 1;
    const emissive = linearRgb(material.emissive);
    if (strength > 1) {
      out.setEmissiveFactor(emissive);
      const extension = document.createExtension(KHRMaterialsEmissiveStrength);
      out.setExtension('KHR_materials_emissive_strength', extension.createEmissiveStrength().setEmissiveStrength(strength));
    } else {
      out.setEmissiveFactor([emissive[0] * strength, emissive[1] * strength, emissive[2] * strength]);
    }
  }
  return out;
}

export async function writeGlb(document: Document): Promise<Uint8Array> {
  return io().writeBinary(document);
}

/** A .gltf whose single buffer is embedded as a base64 data: URI. */
export async function writeGltfJson(document: Document): Promise<Uint8Array> {
  const { json, resources } = await io().writeJSON(document);
  for (const buffer of json.buffers ?? []) {
    if (buffer.uri === undefined) continue;
    const bytes = resources[buffer.uri];
    if (bytes === undefined) continue;
    buffer.uri = `data:application/octet-stream;base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
  }
  return new TextEncoder().encode(JSON.stringify(json));
}
