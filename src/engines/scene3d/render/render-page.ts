import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, normalize, sep } from 'node:path';
import type { BrowserContext } from 'playwright-core';

/** The page's made-up origin: every request to it is answered from memory or node_modules/three, never the network. */
export const RENDER_ORIGIN = 'http://render.shenbi.invalid';

const THREE_ROOT = dirname(dirname(createRequire(import.meta.url).resolve('three')));

export interface RenderPageParams {
  width: number;
  height: number;
  /** CSS hex colour, e.g. #e8e8e8. */
  background: string;
}

/**
 * The page draws with three.js: hemisphere + directional light (the "sun" rides with the camera,
 * so a turntable looks like the object spinning under fixed studio lights), the camera framed
 * on the bounding sphere from a 3/4 view. `shenbiFrame(turn)` draws the view `turn` revolutions
 * around the model and returns it as a PNG data URL.
 */
const PAGE_SCRIPT = String.raw`
import * as THREE from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import { RoomEnvironment } from 'three/addons/environments/RoomEnvironment.js';
const params = JSON.parse(document.getElementById('params').textContent);
try {
  const canvas = document.getElementById('view');
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true, alpha: false });
  renderer.setPixelRatio(1);
  renderer.setSize(params.width, params.height, false);
  renderer.outputColorSpace = THREE.SRGBColorSpace;
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(params.background);
  // Metals show what they reflect: without an environment, gold and steel render near black.
  scene.environment = new THREE.PMREMGenerator(renderer).fromScene(new RoomEnvironment(), 0.04).texture;
  scene.add(new THREE.HemisphereLight(0xffffff, 0x6b6259, 1.0));
  const bytes = await (await fetch('/model.glb')).arrayBuffer();
  const gltf = await new GLTFLoader().parseAsync(bytes, '/');
  scene.add(gltf.scene);
  const box = new THREE.Box3().setFromObject(gltf.scene);
  if (box.isEmpty()) throw new Error('the model has no geometry to draw');
  const center = box.getCenter(new THREE.Vector3());
  const radius = Math.max(box.getBoundingSphere(new THREE.Sphere()).radius, 1e-6);
  const fov = 35;
  const aspect = params.width / params.height;
  const camera = new THREE.PerspectiveCamera(fov, aspect, radius / 100, radius * 100);
  // Far enough that the bounding sphere fits the narrower of the two fields of view, with a margin.
  const halfFov = Math.min(THREE.MathUtils.degToRad(fov / 2), Math.atan(Math.tan(THREE.MathUtils.degToRad(fov / 2)) * aspect));
  const distance = (radius / Math.sin(halfFov)) * 1.08;
  const sun = new THREE.DirectionalLight(0xffffff, 2.4);
  sun.position.set(-0.6, 1.2, 0.4).multiplyScalar(distance);
  camera.add(sun);
  const target = new THREE.Object3D();
  target.position.copy(center);
  scene.add(target);
  sun.target = target;
  scene.add(camera);
  const elevation = THREE.MathUtils.degToRad(25);
  window.shenbiFrame = (turn) => {
    const azimuth = Math.PI / 4 + turn * Math.PI * 2;
    camera.position.set(
      center.x + distance * Math.cos(elevation) * Math.sin(azimuth),
      center.y + distance * Math.sin(elevation),
      center.z + distance * Math.cos(elevation) * Math.cos(azimuth),
    );
    camera.lookAt(center);
    camera.updateMatrixWorld(true);
    renderer.render(scene, camera);
    return canvas.toDataURL('image/png');
  };
  window.shenbiState = 'ready';
} catch (error) {
  window.shenbiState = 'error: ' + (error && error.message ? error.message : String(error));
}
`;

function pageHtml(params: RenderPageParams): string {
  const json = JSON.stringify(params).replace(/</g, '\\u003c');
  const imports = JSON.stringify({ imports: { three: '/three/build/three.module.js', 'three/addons/': '/three/examples/jsm/' } });
  return `<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;background:${params.background}}canvas{display:block}</style>
<script type="application/json" id="params">${json}</script>
<script type="importmap">${imports}</script></head>
<body><canvas id="view" width="${params.width}" height="${params.height}"></canvas>
<script type="module">${PAGE_SCRIPT}</script></body></html>`;
}

/** Serves a file under node_modules/three for a `/three/…` path; undefined for anything outside it. */
async function threeFile(pathname: string): Promise<Buffer | undefined> {
  const relative = normalize(decodeURIComponent(pathname.slice('/three/'.length)));
  if (!(relative.startsWith(`build${sep}`) || relative.startsWith(`examples${sep}jsm${sep}`)) || !relative.endsWith('.js')) return undefined;
  const file = join(THREE_ROOT, relative);
  if (!file.startsWith(THREE_ROOT + sep)) return undefined;
  try {
    return await readFile(file);
  } catch {
    return undefined;
  }
}

/**
 * Answers every request of `context` from memory: the page, three.js and the model. Anything
 * else is refused, so a model that names an external texture cannot reach the network.
 */
export async function routeRenderPage(context: BrowserContext, params: RenderPageParams, glb: Uint8Array): Promise<void> {
  const html = pageHtml(params);
  const model = Buffer.from(glb.buffer, glb.byteOffset, glb.byteLength);
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== RENDER_ORIGIN) return route.abort('blockedbyclient');
    if (url.pathname === '/') return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    if (url.pathname === '/model.glb') return route.fulfill({ status: 200, contentType: 'model/gltf-binary', body: model });
    const file = url.pathname.startsWith('/three/') ? await threeFile(url.pathname) : undefined;
    if (file === undefined) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: file });
  });
}
