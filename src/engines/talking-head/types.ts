/**
 * The shared vocabulary of the digital-human engine: a face's landmarks (face/), the mouth's
 * shape over time (visemes/), and what the renderer (render/) needs. Pixel coordinates are
 * of the portrait as given to the renderer: x to the right, y down, origin top-left.
 */

export type Point2 = readonly [x: number, y: number];

/** Head pose, radians: yaw turns left/right (0 = facing the camera), pitch nods, roll tilts. */
export interface HeadPose {
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
}

export interface FaceBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** One face found in a portrait. */
export interface FaceLandmarks {
  readonly box: FaceBox;
  /** Detector confidence, 0..1. */
  readonly score: number;
  /** The 468 MediaPipe face-mesh points (canonical topology), pixels of the analysed image. */
  readonly points: readonly Point2[];
  readonly pose: HeadPose;
}

/** What face analysis returns for a portrait: the face to animate and what else it saw. */
export interface FaceAnalysis {
  readonly imageWidth: number;
  readonly imageHeight: number;
  /** The face to animate: the largest when there are several. */
  readonly face: FaceLandmarks;
  /** How many faces the detector found (≥ 1). */
  readonly faceCount: number;
  /** What was chosen or assumed ("3 faces: the largest is animated"). */
  readonly warnings: readonly string[];
}

/**
 * The 15 visemes of the Oculus/Meta lip-sync set (the de-facto standard that avatar rigs,
 * VRChat and Ready Player Me use): silence, then consonant and vowel mouth shapes.
 */
export const VISEMES = ['sil', 'PP', 'FF', 'TH', 'DD', 'kk', 'CH', 'SS', 'nn', 'RR', 'aa', 'E', 'ih', 'oh', 'ou'] as const;
export type Viseme = (typeof VISEMES)[number];

/** A phoneme with its place in time, seconds (eSpeak's phoneme events, or spread over aligned words). */
export interface TimedPhoneme {
  /** The phoneme as eSpeak writes it (IPA-like, stress marks included: "ˈoʊ", "tɕh"); '' is a pause. */
  readonly phoneme: string;
  readonly start: number;
  readonly end: number;
}

export interface TimedViseme {
  readonly viseme: Viseme;
  readonly start: number;
  readonly end: number;
  /** The phoneme it came from, when it came from one. */
  readonly phoneme?: string;
}

/** The mouth in one video frame. */
export interface MouthShape {
  /** Jaw and lip opening, 0 closed .. 1 wide open ("ah"). */
  readonly open: number;
  /** Lip spread, −1 narrow .. 0 rest .. 1 wide ("ee"). */
  readonly width: number;
  /** Lip rounding/protrusion, 0 none .. 1 full ("oo"). */
  readonly round: number;
}

/** One mouth shape per video frame: frame i shows time i / fps. */
export interface MouthTrack {
  readonly fps: number;
  readonly frames: readonly MouthShape[];
}

/** Idle life added to the face: all deterministic for a seed. */
export interface IdleMotion {
  /** Natural blinks (every 2–6 s, ~150 ms). Default true. */
  readonly blink: boolean;
  /** Small head turns and nods (≤ 2° / a few pixels) and breathing sway. Default true. */
  readonly head: boolean;
}

/** Where time went in a render, milliseconds (bench/talking-head reports the shares). */
export interface RenderTimings {
  readonly landmarkMs: number;
  readonly warpMs: number;
  readonly encodeMs: number;
  readonly totalMs: number;
}
