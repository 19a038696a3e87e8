import { useEffect, useRef, useState } from 'react';
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { useI18n } from '../i18n.ts';
import { optionLabel } from '../i18n-values.ts';
import { disposeTree } from './model-scene.ts';
import { frameAt, frameMotion, isBvh, loadMotion, type LoadedMotion } from './motion-scene.ts';
import { VIEWER_BACKGROUND } from './ModelViewer.tsx';

const DEFAULT_LABEL = '人工智能生成 · AI-generated';
export const MOTION_SPEEDS = [0.25, 0.5, 1, 1.5, 2] as const;
const VIEWS = ['mannequin', 'skeleton'] as const;
type View = (typeof VIEWS)[number];
/** Left foot blue, right foot orange: the markers and the legend under the view. */
const FOOT_COLORS = ['#2f6fd6', '#e07a1f'] as const;

export interface MotionPlayerProps {
  url: string;
  mimeType: string;
  name: string | null;
  /** The label wording from the artifact's records, when the file itself carries none. */
  labelWording?: string | null;
}

type PlayerState = { status: 'loading' } | { status: 'ready'; label: string | null; duration: number; fps: number; hasMesh: boolean; contactSource: LoadedMotion['contactSource'] } | { status: 'error'; message: string };

/** What the render loop reads; changed by the controls without re-creating the scene. */
interface Live {
  playing: boolean;
  speed: number;
  view: View;
  markers: boolean;
  seek: number | null;
}

/**
 * A motion GLB played in three.js: the skinned mannequin (or its skeleton) on a ground grid,
 * with play/pause, a scrub bar, speed, and markers under each foot while it is planted. The
 * AI label the file carries is drawn over the view. Draws every frame only while playing.
 */
export function MotionPlayer({ url, mimeType, name, labelWording }: MotionPlayerProps) {
  const { t, language } = useI18n();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const live = useRef<Live>({ playing: true, speed: 1, view: 'mannequin', markers: true, seek: null });
  const redraw = useRef<() => void>(() => undefined);
  const [state, setState] = useState<PlayerState>({ status: 'loading' });
  const [playing, setPlaying] = useState(true);
  const [speed, setSpeed] = useState(1);
  const [view, setView] = useState<View>('mannequin');
  const [markers, setMarkers] = useState(true);
  const [time, setTime] = useState(0);
  const [contact, setContact] = useState<[boolean, boolean]>([false, false]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let alive = true;
    setState({ status: 'loading' });
    let renderer: THREE.WebGLRenderer;
    try {
      renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
    } catch (error) {
      setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      return;
    }
    renderer.setPixelRatio(Math.min(globalThis.devicePixelRatio || 1, 2));
    renderer.outputColorSpace = THREE.SRGBColorSpace;
    const scene = new THREE.Scene();
    scene.background = new THREE.Color(VIEWER_BACKGROUND);
    scene.add(new THREE.HemisphereLight(0xffffff, 0x6b6259, 1.6));
    const camera = new THREE.PerspectiveCamera(35, 1, 0.01, 100);
    const sun = new THREE.DirectionalLight(0xffffff, 2.0);
    sun.position.set(-0.6, 1.2, 0.4);
    camera.add(sun);
    scene.add(camera);
    const controls = new OrbitControls(camera, canvas);
    let motion: LoadedMotion | null = null;
    let skeleton: THREE.SkeletonHelper | null = null;
    // The skeleton view: the helper's bone lines, and a dot on every joint so it reads at a glance.
    let joints: THREE.InstancedMesh | null = null;
    let bones: THREE.Object3D[] = [];
    const jointMatrix = new THREE.Matrix4();
    let grid: THREE.GridHelper | null = null;
    const feet = FOOT_COLORS.map((color) => {
      const disc = new THREE.Mesh(new THREE.RingGeometry(0.05, 0.09, 32), new THREE.MeshBasicMaterial({ color, side: THREE.DoubleSide }));
      disc.rotation.x = -Math.PI / 2;
      disc.visible = false;
      disc.renderOrder = 1;
      scene.add(disc);
      return disc;
    });
    let shownFrame = -1;
    const toePosition = new THREE.Vector3();

    /** Poses the character at the mixer's time and places what depends on it; tells React the frame. */
    const pose = () => {
      if (!motion) return;
      const time = motion.action.time;
      motion.root.updateMatrixWorld(true);
      const frame = frameAt(time, motion.fps, motion.frameCount);
      const planted: [boolean, boolean] = [motion.contacts?.[frame * 2] === 1, motion.contacts?.[frame * 2 + 1] === 1];
      feet.forEach((disc, side) => {
        const toe = motion?.toes?.[side];
        disc.visible = live.current.markers && planted[side] === true && toe !== undefined;
        if (toe) disc.position.set(toe.getWorldPosition(toePosition).x, 0.003, toePosition.z);
      });
      for (const mesh of motion.meshes) mesh.visible = live.current.view === 'mannequin';
      // A BVH has no mannequin: its skeleton always shows.
      const showSkeleton = live.current.view === 'skeleton' || motion.meshes.length === 0;
      if (skeleton) skeleton.visible = showSkeleton;
      if (joints) {
        joints.visible = showSkeleton;
        if (showSkeleton) {
          bones.forEach((bone, i) => joints?.setMatrixAt(i, jointMatrix.makeTranslation(bone.getWorldPosition(toePosition))));
          joints.instanceMatrix.needsUpdate = true;
        }
      }
      if (frame !== shownFrame) {
        shownFrame = frame;
        setTime(time);
        setContact(planted);
      }
    };
    const draw = () => {
      pose();
      renderer.render(scene, camera);
    };
    redraw.current = () => {
      if (!motion) return;
      const seek = live.current.seek;
      if (seek !== null) {
        live.current.seek = null;
        // The last instant, not the duration itself: a looping action wraps that to the start.
        motion.mixer.setTime(Math.min(Math.max(seek, 0), motion.duration - 1e-4));
      }
      draw();
    };
    controls.addEventListener('change', draw);

    let last = performance.now();
    let request = 0;
    const tick = (now: number) => {
      request = requestAnimationFrame(tick);
      const elapsed = Math.min((now - last) / 1000, 0.1);
      last = now;
      if (!motion || !live.current.playing) return;
      // Loops: the mixer's action repeats, and time wraps to the start.
      motion.mixer.update(elapsed * live.current.speed);
      draw();
    };
    request = requestAnimationFrame(tick);

    const resize = () => {
      const width = canvas.clientWidth;
      const height = canvas.clientHeight;
      if (width === 0 || height === 0) return;
      renderer.setSize(width, height, false);
      camera.aspect = width / height;
      camera.updateProjectionMatrix();
      if (motion) frameMotion(camera, motion.bounds);
      draw();
    };
    const observer = new ResizeObserver(resize);
    observer.observe(canvas);
    resize();

    (async () => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const loaded = await loadMotion(await response.arrayBuffer(), isBvh(mimeType, name) ? 'bvh' : 'glb');
      if (!alive) return disposeTree(loaded.root);
      motion = loaded;
      scene.add(loaded.root);
      skeleton = new THREE.SkeletonHelper(loaded.root);
      skeleton.setColors(new THREE.Color(0x1d3557), new THREE.Color(0xc0392b));
      scene.add(skeleton);
      bones = skeleton.bones;
      joints = new THREE.InstancedMesh(new THREE.SphereGeometry(0.022, 12, 8), new THREE.MeshStandardMaterial({ color: 0x1d3557, roughness: 0.6 }), Math.max(1, bones.length));
      joints.frustumCulled = false;
      scene.add(joints);
      const { center, radius } = frameMotion(camera, loaded.bounds);
      // A metre grid on the ground, large enough for the whole path.
      const size = Math.max(4, Math.ceil(radius * 2.5));
      grid = new THREE.GridHelper(size, size, 0x9a968c, 0xc4c1b8);
      grid.position.set(Math.round(center.x), 0, Math.round(center.z));
      scene.add(grid);
      controls.target.copy(center);
      controls.minDistance = radius * 0.3;
      controls.maxDistance = radius * 10;
      controls.update();
      last = performance.now();
      draw();
      setState({ status: 'ready', label: loaded.label, duration: loaded.duration, fps: loaded.fps, hasMesh: loaded.meshes.length > 0, contactSource: loaded.contactSource });
    })().catch((error: unknown) => alive && setState({ status: 'error', message: error instanceof Error ? error.message : String(error) }));

    return () => {
      alive = false;
      cancelAnimationFrame(request);
      observer.disconnect();
      controls.dispose();
      redraw.current = () => undefined;
      if (motion) {
        motion.mixer.stopAllAction();
        disposeTree(motion.root);
      }
      skeleton?.dispose();
      joints?.geometry.dispose();
      (joints?.material as THREE.Material | undefined)?.dispose();
      grid?.dispose();
      for (const disc of feet) {
        disc.geometry.dispose();
        (disc.material as THREE.Material).dispose();
      }
      renderer.dispose();
    };
  }, [url, mimeType, name]);

  const update = (change: Partial<Live>) => {
    Object.assign(live.current, change);
    redraw.current();
  };
  const ready = state.status === 'ready' ? state : null;
  const duration = ready?.duration ?? 0;
  return (
    <div className="model-viewer motion-player" data-testid="motion-player" data-state={state.status} data-playing={playing ? 'true' : 'false'}>
      <div className="model-stage">
        <canvas ref={canvasRef} aria-label={t('motionViewer')} role="img" data-testid="motion-canvas" data-name={name ?? undefined} />
        {state.status !== 'error' ? (
          <div className="model-label" data-testid="motion-label" translate="no">
            {ready?.label ?? labelWording ?? DEFAULT_LABEL}
          </div>
        ) : null}
        {state.status === 'loading' ? <div className="model-loading">{t('motionLoading')}</div> : null}
        {state.status === 'error' ? (
          <div className="model-loading" role="alert">
            {t('motionViewerFailed')}
            <span translate="no">{state.message}</span>
          </div>
        ) : null}
      </div>
      {ready ? (
        <div className="motion-controls" data-testid="motion-controls">
          <button
            type="button"
            className="secondary"
            data-testid="motion-play"
            onClick={() => {
              setPlaying(!playing);
              update({ playing: !playing });
            }}
          >
            {playing ? t('motionPause') : t('motionPlay')}
          </button>
          <input
            type="range"
            className="motion-scrub"
            data-testid="motion-scrub"
            aria-label={t('motionScrub')}
            min={0}
            max={duration}
            step={1 / ready.fps}
            value={Math.min(time, duration)}
            onChange={(e) => {
              setPlaying(false);
              update({ playing: false, seek: Number(e.target.value) });
            }}
          />
          <span className="motion-time" data-testid="motion-time" translate="no">
            {time.toFixed(2)} / {duration.toFixed(2)} s
          </span>
          <label className="motion-option">
            {t('motionSpeed')}
            <select
              value={String(speed)}
              data-testid="motion-speed"
              onChange={(e) => {
                setSpeed(Number(e.target.value));
                update({ speed: Number(e.target.value) });
              }}
            >
              {MOTION_SPEEDS.map((s) => (
                <option key={s} value={String(s)}>
                  {s}×
                </option>
              ))}
            </select>
          </label>
          {ready.hasMesh ? (
            <label className="motion-option">
              {t('motionView')}
              <select
                value={view}
                data-testid="motion-view"
                onChange={(e) => {
                  const next = e.target.value as View;
                  setView(next);
                  update({ view: next });
                }}
              >
                {VIEWS.map((v) => (
                  <option key={v} value={v}>
                    {optionLabel(language, 'motionView', v)}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <label className="checkbox motion-option">
            <input
              type="checkbox"
              checked={markers}
              data-testid="motion-markers"
              onChange={(e) => {
                setMarkers(e.target.checked);
                update({ markers: e.target.checked });
              }}
            />
            {t('motionContacts')}
          </label>
          {markers && ready.contactSource ? (
            <span className="motion-feet" data-testid="motion-feet">
              {([t('motionLeftFoot'), t('motionRightFoot')] as const).map((foot, side) => (
                <span key={foot} className="motion-foot" data-contact={contact[side] ? 'true' : 'false'} style={{ borderColor: FOOT_COLORS[side], background: contact[side] ? FOOT_COLORS[side] : 'transparent', color: contact[side] ? '#fff' : 'inherit' }}>
                  {foot}
                </span>
              ))}
            </span>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
