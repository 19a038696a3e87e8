import * as THREE from 'three';
import { ThreeMFLoader } from 'three/examples/jsm/loaders/3MFLoader.js';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { STLLoader } from 'three/examples/jsm/loaders/STLLoader.js';
import { USDLoader } from 'three/examples/jsm/loaders/USDLoader.js';

/** A model ready to add to a scene, with what the viewer shows around it. */
export interface LoadedModel {
  root: THREE.Object3D;
  /** The explicit AI label the file carries (glTF: `asset.extras.aigcExplicitLabel.text`), if any. */
  label: string | null;
  /** Named parts (glTF nodes, 3MF objects), in file order. */
  parts: string[];
}

/** The key the server's governance writes the label under (src/governance/explicit/model3d.ts). */
const GLTF_LABEL_KEY = 'aigcExplicitLabel';

/** Reads the label text from a glTF `asset` object; null when absent or not text. */
export function labelFromAsset(asset: unknown): string | null {
  if (typeof asset !== 'object' || asset === null) return null;
  const extras = (asset as { extras?: unknown }).extras;
  if (typeof extras !== 'object' || extras === null) return null;
  const label = (extras as Record<string, unknown>)[GLTF_LABEL_KEY];
  if (typeof label !== 'object' || label === null) return null;
  const text = (label as { text?: unknown }).text;
  return typeof text === 'string' && text.trim() !== '' ? text : null;
}

function partNames(root: THREE.Object3D): string[] {
  const names: string[] = [];
  root.traverse((object) => {
    if (object === root || object.name === '' || names.includes(object.name)) return;
    if ((object as THREE.Mesh).isMesh || object.children.some((child) => (child as THREE.Mesh).isMesh)) names.push(object.name);
  });
  return names;
}

/** Printing formats are millimetres with +Z up; turned to +Y up so every format opens the same way. */
function zUpToYUp(object: THREE.Object3D): THREE.Object3D {
  const group = new THREE.Group();
  object.rotation.x = -Math.PI / 2;
  group.add(object);
  return group;
}

/** Parses GLB / glTF (self-contained), STL, 3MF or USDZ bytes by MIME type (or file extension). */
export async function loadModel(bytes: ArrayBuffer, mimeType: string, name: string | null): Promise<LoadedModel> {
  const extension = (name ?? '').toLowerCase().split('.').pop() ?? '';
  if (mimeType.startsWith('model/gltf') || extension === 'glb' || extension === 'gltf') {
    const gltf = await new GLTFLoader().parseAsync(bytes, '');
    return { root: gltf.scene, label: labelFromAsset(gltf.asset), parts: partNames(gltf.scene) };
  }
  if (mimeType === 'model/stl' || extension === 'stl') {
    const geometry = new STLLoader().parse(bytes);
    if (!geometry.getAttribute('normal')) geometry.computeVertexNormals();
    const mesh = new THREE.Mesh(geometry, new THREE.MeshStandardMaterial({ color: 0xb9b4aa, roughness: 0.7 }));
    mesh.name = name ?? 'model';
    return { root: zUpToYUp(mesh), label: null, parts: [] };
  }
  if (mimeType === 'model/3mf' || extension === '3mf') {
    const group = new ThreeMFLoader().parse(bytes);
    return { root: zUpToYUp(group), label: null, parts: partNames(group) };
  }
  if (mimeType === 'model/vnd.usdz+zip' || extension === 'usdz') {
    // USD for Apple AR: metres, +Y up, as glTF; the label is the layer's doc, shown from the artifact's record.
    const group = new USDLoader().parse(bytes);
    return { root: group, label: null, parts: partNames(group) };
  }
  throw new Error(`not a 3D format the viewer reads (${mimeType})`);
}

/**
 * Puts the camera on the 3/4 start view (the thumbnail's): looking at the bounding box's
 * centre from 45° round and 25° up, far enough that the bounding sphere fits.
 */
export function frameStartView(camera: THREE.PerspectiveCamera, root: THREE.Object3D): { center: THREE.Vector3; radius: number } {
  const box = new THREE.Box3().setFromObject(root);
  if (box.isEmpty()) throw new Error('the model has no geometry to show');
  const center = box.getCenter(new THREE.Vector3());
  const radius = Math.max(box.getBoundingSphere(new THREE.Sphere()).radius, 1e-6);
  const halfFov = Math.min(THREE.MathUtils.degToRad(camera.fov / 2), Math.atan(Math.tan(THREE.MathUtils.degToRad(camera.fov / 2)) * camera.aspect));
  const distance = (radius / Math.sin(halfFov)) * 1.08;
  const azimuth = Math.PI / 4;
  const elevation = THREE.MathUtils.degToRad(25);
  camera.position.set(center.x + distance * Math.cos(elevation) * Math.sin(azimuth), center.y + distance * Math.sin(elevation), center.z + distance * Math.cos(elevation) * Math.cos(azimuth));
  camera.near = radius / 100;
  camera.far = radius * 100;
  camera.lookAt(center);
  camera.updateProjectionMatrix();
  return { center, radius };
}

/** Frees the GPU memory of everything under `root`. */
export function disposeTree(root: THREE.Object3D): void {
  root.traverse((object) => {
    const mesh = object as THREE.Mesh;
    if (!mesh.isMesh) return;
    mesh.geometry.dispose();
    for (const material of Array.isArray(mesh.material) ? mesh.material : [mesh.material]) {
      for (const value of Object.values(material)) if (value instanceof THREE.Texture) value.dispose();
      material.dispose();
    }
  });
}
