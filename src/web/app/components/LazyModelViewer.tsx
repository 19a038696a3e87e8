import { lazy, Suspense } from 'react';
import type { ModelViewerProps } from './ModelViewer.tsx';

// three.js is large: loaded only when a 3D model is on screen, so the other pages stay light.
const ModelViewer = lazy(() => import('./ModelViewer.tsx').then((module) => ({ default: module.ModelViewer })));

/** The 3D viewer, fetched on first use. */
export function LazyModelViewer(props: ModelViewerProps) {
  return (
    <Suspense fallback={<div className="model-viewer" data-testid="model-viewer" data-state="loading" aria-busy="true" />}>
      <ModelViewer {...props} />
    </Suspense>
  );
}
