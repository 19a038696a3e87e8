import { useEffect, useRef, useState } from 'react';
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { RoomEnvironment } from 'three/examples/jsm/environments/RoomEnvironment.js';
import { useI18n } from '../i18n.ts';
import { disposeTree, frameStartView, loadModel } from './model-scene.ts';

/** The viewer's background; the Playwright test checks the model's pixels differ from it. */
export const VIEWER_BACKGROUND = '#e8e8e4';

/** Shown when a file carries no label of its own (STL, 3MF): the studio marks every result. */
const DEFAULT_LABEL = '人工智能生成 · AI-generated';

export interface ModelViewerProps {
  url: string;
  mimeType: string;
  name: string | null;
  /** The label wording from the artifact's records, for files that cannot carry it where a viewer reads it (STL, 3MF). */
  labelWording?: string | null;
}

type ViewerState = { status: 'loading' } | { status: 'ready'; label: string | null; parts: string[] } | { status: 'error'; message: string };

/**
 * A 3D model in a three.js view: orbit with the mouse or a finger, lit by a hemisphere and a
 * key light that follows the camera, opening on the same 3/4 view as the thumbnail. The AI
 * label the file carries (glTF `asset.extras`) is drawn over the view, as the start view must
 * show it. Draws only when something changes, so an idle viewer costs no CPU.
 */
export function ModelViewer({ url, mimeType, name, labelWording }: ModelViewerProps) {
  const { t } = useI18n();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [state, setState] = useState<ViewerState>({ status: 'loading' });

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    let live = true;
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
    // Metals show what they reflect: without an environment, gold and steel render near black.
    const environment = new THREE.PMREMGenerator(renderer);
    scene.environment = environment.fromScene(new RoomEnvironment(), 0.04).texture;
    environment.dispose();
    scene.add(new THREE.HemisphereLight(0xffffff, 0x6b6259, 1.0));
    const camera = new THREE.PerspectiveCamera(35, 1, 0.01, 100);
    const sun = new THREE.DirectionalLight(0xffffff, 2.4);
    camera.add(sun);
    scene.add(camera);
    const controls = new OrbitControls(camera, canvas);
    const draw = () => renderer.render(scene, camera);
    controls.addEventListener('change', draw);
    let model: THREE.Object3D | null = null;

    const resize = () => {
      const width = canvas.clientWidth;
      const height = canvas.clientHeight;
      if (width === 0 || height === 0) return;
      renderer.setSize(width, height, false);
      camera.aspect = width / height;
      camera.updateProjectionMatrix();
      draw();
    };
    const observer = new ResizeObserver(resize);
    observer.observe(canvas);
    resize();

    (async () => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const loaded = await loadModel(await response.arrayBuffer(), mimeType, name);
      if (!live) return disposeTree(loaded.root);
      model = loaded.root;
      scene.add(model);
      const { center, radius } = frameStartView(camera, model);
      // The key light sits up and to the left of the camera, aimed at the model.
      sun.position.set(-0.6, 1.2, 0.4).multiplyScalar(camera.position.distanceTo(center));
      sun.target.position.copy(center);
      scene.add(sun.target);
      controls.target.copy(center);
      controls.minDistance = radius * 0.5;
      controls.maxDistance = radius * 20;
      controls.update();
      draw();
      setState({ status: 'ready', label: loaded.label, parts: loaded.parts });
    })().catch((error: unknown) => live && setState({ status: 'error', message: error instanceof Error ? error.message : String(error) }));

    return () => {
      live = false;
      observer.disconnect();
      controls.dispose();
      if (model) disposeTree(model);
      scene.environment?.dispose();
      renderer.dispose();
    };
  }, [url, mimeType, name]);

  return (
    <div className="model-viewer" data-testid="model-viewer" data-state={state.status}>
      <div className="model-stage">
        <canvas ref={canvasRef} aria-label={t('model3dViewer')} role="img" data-testid="model-canvas" />
        {state.status !== 'error' ? (
          // The explicit label, over the start view; the file's own wording when it carries one.
          <div className="model-label" data-testid="model-label" translate="no">
            {(state.status === 'ready' ? state.label : null) ?? labelWording ?? DEFAULT_LABEL}
          </div>
        ) : null}
        {state.status === 'loading' ? <div className="model-loading">{t('model3dLoading')}</div> : null}
        {state.status === 'error' ? (
          <div className="model-loading" role="alert">
            {t('model3dViewerFailed')}
            <span translate="no">{state.message}</span>
          </div>
        ) : null}
      </div>
      {state.status === 'ready' && state.parts.length > 0 ? (
        <div className="model-parts">
          <span className="muted">{t('model3dParts')}</span>
          <ul className="plain" data-testid="model-parts" translate="no">
            {state.parts.map((part) => (
              <li key={part}>
                <code>{part}</code>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
