import * as THREE from 'three';
import { BVHLoader } from 'three/examples/jsm/loaders/BVHLoader.js';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { labelFromAsset } from './model-scene.ts';

/**
 * A motion file made ready to play: the animated character, its one animation, the bones the
 * player marks foot contacts on, and what it learned by stepping through every frame once
 * (where the feet touch the ground, and the box the whole motion moves through, so the camera
 * frames the walk, not only the first pose).
 */
export interface LoadedMotion {
  /** The root added to the scene (the skeleton helper reads its bones). */
  root: THREE.Object3D;
  mixer: THREE.AnimationMixer;
  action: THREE.AnimationAction;
  duration: number;
  fps: number;
  frameCount: number;
  /** The mannequin's meshes (hidden in skeleton view); none for a BVH, which plays as a skeleton. */
  meshes: THREE.Object3D[];
  /** Toe bones, left then right (the contact markers sit under them). */
  toes: [THREE.Object3D, THREE.Object3D] | null;
  /** frameCount × 2 (left, right): 1 where that foot is planted. */
  contacts: Uint8Array | null;
  /** Where the contacts came from: the file's own data, or measured here from the toes. */
  contactSource: 'file' | 'measured' | null;
  bounds: THREE.Box3;
  label: string | null;
}

/** A toe joint this close to the lowest toe height of the clip, and this slow, is on the ground. */
const CONTACT_HEIGHT_M = 0.04;
const CONTACT_SPEED_M_PER_S = 0.3;

/** Finds a bone by its standard (Mixamo) name, allowing a rig prefix such as `mixamorig:`. */
function findBone(root: THREE.Object3D, name: string): THREE.Object3D | null {
  let found: THREE.Object3D | null = null;
  root.traverse((object) => {
    if (!found && object.name.toLowerCase().endsWith(name.toLowerCase())) found = object;
  });
  return found;
}

/** The frame rate: the file's own (`extras.fps`), else the spacing of the densest keyframe track. */
function clipFps(clip: THREE.AnimationClip): number {
  const declared = (clip.userData as { fps?: unknown } | undefined)?.fps;
  if (typeof declared === 'number' && declared > 0 && declared <= 240) return declared;
  let frames = 0;
  for (const track of clip.tracks) frames = Math.max(frames, track.times.length);
  return frames > 1 && clip.duration > 0 ? Math.round((frames - 1) / clip.duration) : 30;
}

/** Contacts the file carries (animation `extras.contacts`: frames × [left, right] of 0/1), if well-formed. */
function contactsFromFile(clip: THREE.AnimationClip, frameCount: number): Uint8Array | null {
  const value = (clip.userData as { contacts?: unknown } | undefined)?.contacts;
  if (!Array.isArray(value)) return null;
  const flat = value.flat(2);
  if (flat.length !== frameCount * 2 || !flat.every((v) => v === 0 || v === 1 || typeof v === 'boolean')) return null;
  return Uint8Array.from(flat, (v) => (v ? 1 : 0));
}

/**
 * Steps the animation through every frame once: the bounds of every bone over the motion, and
 * each foot's contacts (low and slow toes) when the file does not say.
 */
function survey(root: THREE.Object3D, mixer: THREE.AnimationMixer, frameCount: number, fps: number, toes: [THREE.Object3D, THREE.Object3D] | null): { bounds: THREE.Box3; contacts: Uint8Array | null } {
  const bounds = new THREE.Box3();
  const bones: THREE.Object3D[] = [];
  root.traverse((object) => {
    if ((object as THREE.Bone).isBone) bones.push(object);
  });
  const toeXyz = toes ? new Float32Array(frameCount * 6) : null;
  const point = new THREE.Vector3();
  for (let frame = 0; frame < frameCount; frame += 1) {
    mixer.setTime(frame / fps);
    root.updateMatrixWorld(true);
    for (const bone of bones) bounds.expandByPoint(bone.getWorldPosition(point));
    if (toes && toeXyz) toes.forEach((toe, side) => toeXyz.set(toe.getWorldPosition(point).toArray(), frame * 6 + side * 3));
  }
  mixer.setTime(0);
  if (bones.length === 0) bounds.setFromObject(root);
  if (!toes || !toeXyz) return { bounds, contacts: null };
  let lowest = Infinity;
  for (let i = 1; i < toeXyz.length; i += 3) lowest = Math.min(lowest, toeXyz[i]!);
  const contacts = new Uint8Array(frameCount * 2);
  for (let frame = 0; frame < frameCount; frame += 1) {
    for (let side = 0; side < 2; side += 1) {
      const at = frame * 6 + side * 3;
      // Speed over the neighbouring frames (forward at the first frame, backward elsewhere).
      const other = frame === 0 ? (frameCount > 1 ? at + 6 : at) : at - 6;
      const speed = Math.hypot(toeXyz[at]! - toeXyz[other]!, toeXyz[at + 2]! - toeXyz[other + 2]!) * fps;
      contacts[frame * 2 + side] = toeXyz[at + 1]! - lowest < CONTACT_HEIGHT_M && speed < CONTACT_SPEED_M_PER_S ? 1 : 0;
    }
  }
  return { bounds, contacts };
}

/** True for a BVH file (by name or MIME type); anything else is read as GLB. */
export function isBvh(mimeType: string, name: string | null): boolean {
  return /bvh/i.test(mimeType) || (name ?? '').toLowerCase().endsWith('.bvh');
}

/** The scene and clip of a GLB: a skinned mannequin and its first animation, and the label in `asset.extras`. */
async function parseGlb(bytes: ArrayBuffer): Promise<{ root: THREE.Object3D; clip: THREE.AnimationClip | undefined; label: string | null }> {
  const gltf = await new GLTFLoader().parseAsync(bytes, '');
  return { root: gltf.scene, clip: gltf.animations[0], label: labelFromAsset(gltf.asset) };
}

/** The skeleton and clip of a BVH (no mesh: it plays as a skeleton). */
function parseBvh(bytes: ArrayBuffer): { root: THREE.Object3D; clip: THREE.AnimationClip; label: null } {
  const { skeleton, clip } = new BVHLoader().parse(new TextDecoder().decode(bytes));
  const hips = skeleton.bones[0];
  if (!hips) throw new Error('the BVH file has no joints');
  const root = new THREE.Group();
  root.add(hips);
  return { root, clip, label: null };
}

/** Parses a motion file (GLB: a skinned mannequin and one animation; or BVH) and prepares it to play. */
export async function loadMotion(bytes: ArrayBuffer, format: 'glb' | 'bvh' = 'glb'): Promise<LoadedMotion> {
  const { root, clip, label } = format === 'bvh' ? parseBvh(bytes) : await parseGlb(bytes);
  if (!clip) throw new Error('the file has no animation');
  const meshes: THREE.Object3D[] = [];
  root.traverse((object) => {
    if ((object as THREE.Mesh).isMesh) {
      meshes.push(object);
      // A skinned mesh's bounds are its rest pose: it must not be culled once it walks away.
      object.frustumCulled = false;
    }
  });
  const left = findBone(root, 'LeftToeBase') ?? findBone(root, 'LeftFoot');
  const right = findBone(root, 'RightToeBase') ?? findBone(root, 'RightFoot');
  const toes: [THREE.Object3D, THREE.Object3D] | null = left && right ? [left, right] : null;
  const mixer = new THREE.AnimationMixer(root);
  const action = mixer.clipAction(clip);
  action.play();
  const fps = clipFps(clip);
  const frameCount = Math.max(1, Math.round(clip.duration * fps) + 1);
  const fromFile = contactsFromFile(clip, frameCount);
  let { bounds, contacts } = survey(root, mixer, frameCount, fps, fromFile ? null : toes);
  // BVH files are often in centimetres (a figure 170 units tall): scaled to metres, so the
  // ground grid, the framing and the contact thresholds read as for a GLB.
  if (format === 'bvh' && bounds.max.y - bounds.min.y > 20) {
    root.scale.setScalar(0.01);
    ({ bounds, contacts } = survey(root, mixer, frameCount, fps, fromFile ? null : toes));
  }
  return {
    root,
    mixer,
    action,
    duration: clip.duration,
    fps,
    frameCount,
    meshes,
    toes,
    contacts: fromFile ?? contacts,
    contactSource: fromFile ? 'file' : contacts ? 'measured' : null,
    bounds,
    label,
  };
}

/** The 3/4 view (45° round, 20° up) that fits the whole motion's bounds. */
export function frameMotion(camera: THREE.PerspectiveCamera, bounds: THREE.Box3): { center: THREE.Vector3; radius: number } {
  const box = bounds.clone().expandByScalar(0.15);
  const center = box.getCenter(new THREE.Vector3());
  const radius = Math.max(box.getBoundingSphere(new THREE.Sphere()).radius, 0.5);
  const halfFov = Math.min(THREE.MathUtils.degToRad(camera.fov / 2), Math.atan(Math.tan(THREE.MathUtils.degToRad(camera.fov / 2)) * camera.aspect));
  const distance = (radius / Math.sin(halfFov)) * 1.02;
  const azimuth = Math.PI / 4;
  const elevation = THREE.MathUtils.degToRad(20);
  camera.position.set(center.x + distance * Math.cos(elevation) * Math.sin(azimuth), center.y + distance * Math.sin(elevation), center.z + distance * Math.cos(elevation) * Math.cos(azimuth));
  camera.near = radius / 100;
  camera.far = radius * 100;
  camera.lookAt(center);
  camera.updateProjectionMatrix();
  return { center, radius };
}

/** The frame shown at time `t` (seconds). */
export function frameAt(t: number, fps: number, frameCount: number): number {
  return Math.min(frameCount - 1, Math.max(0, Math.round(t * fps)));
}
