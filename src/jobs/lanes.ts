import { z } from 'zod';

/**
 * Engine lanes: what a worker process says it can run. A job is routed to one lane (its
 * heaviest step's), and a worker takes only jobs of the lanes it declares, so GPU boxes can
 * take image jobs while CPU boxes take speech and video.
 */
export const LANES = ['image', 'video', '3d', 'motion', 'music', 'speech', 'text', 'cloud'] as const;
export type Lane = (typeof LANES)[number];
export const laneSchema = z.enum(LANES);

/**
 * The lane of each step engine (StepDefinition.engine). Steps with no engine, or one not
 * listed, are light work that any lane can carry: they do not decide the route.
 */
const LANE_OF_ENGINE: Readonly<Record<string, Lane>> = {
  diffusion: 'image',
  'image-ops': 'image',
  ocr: 'image',
  ffmpeg: 'video',
  scene3d: '3d',
  motion: 'motion',
  music: 'music',
  speech: 'speech',
  'espeak-ng': 'speech',
  text: 'text',
  'cloud-3d': 'cloud',
  'cloud-image': 'cloud',
  'cloud-music': 'cloud',
  'cloud-speech': 'cloud',
  'cloud-video': 'cloud',
  'vision-provider': 'cloud',
};

export function laneOfEngine(engine: string | undefined): Lane | undefined {
  return engine === undefined ? undefined : LANE_OF_ENGINE[engine];
}

/**
 * The lane a job runs in: the first of LANES (heaviest first) that any of its steps needs;
 * 'text' when no step names a known engine (light jobs: cards, labels, reports).
 */
export function laneOfEngines(engines: Iterable<string | undefined>): Lane {
  const needed = new Set<Lane>();
  for (const engine of engines) {
    const lane = laneOfEngine(engine);
    if (lane !== undefined) needed.add(lane);
  }
  return LANES.find((lane) => needed.has(lane)) ?? 'text';
}
