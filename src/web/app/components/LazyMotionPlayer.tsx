import { lazy, Suspense } from 'react';
import type { MotionPlayerProps } from './MotionPlayer.tsx';

// three.js is large: loaded only when a motion is on screen, so the other pages stay light.
const MotionPlayer = lazy(() => import('./MotionPlayer.tsx').then((module) => ({ default: module.MotionPlayer })));

/** The motion player, fetched on first use. */
export function LazyMotionPlayer(props: MotionPlayerProps) {
  return (
    <Suspense fallback={<div className="model-viewer motion-player" data-testid="motion-player" data-state="loading" aria-busy="true" />}>
      <MotionPlayer {...props} />
    </Suspense>
  );
}
