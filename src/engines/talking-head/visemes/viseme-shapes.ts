import type { MouthShape, Viseme } from '../types.ts';

/**
 * The mouth each viseme aims for (open 0..1, width −1..1, round 0..1). Bilabials close the
 * lips completely; 'aa' is the widest opening; 'ou' the most rounded; 'E' and 'ih' spread;
 * 'FF' brings the lower lip to the upper teeth, nearly closed; silence rests closed.
 */
export const VISEME_SHAPES: Readonly<Record<Viseme, MouthShape>> = Object.freeze({
  sil: { open: 0, width: 0, round: 0 },
  PP: { open: 0, width: 0, round: 0.1 },
  FF: { open: 0.08, width: 0.1, round: 0 },
  TH: { open: 0.2, width: 0.15, round: 0 },
  DD: { open: 0.25, width: 0.15, round: 0 },
  kk: { open: 0.3, width: 0.05, round: 0 },
  CH: { open: 0.2, width: -0.3, round: 0.55 },
  SS: { open: 0.12, width: 0.45, round: 0 },
  nn: { open: 0.22, width: 0.1, round: 0 },
  RR: { open: 0.25, width: -0.35, round: 0.5 },
  aa: { open: 1, width: 0.1, round: 0 },
  E: { open: 0.55, width: 0.5, round: 0 },
  ih: { open: 0.35, width: 0.7, round: 0 },
  oh: { open: 0.65, width: -0.45, round: 0.7 },
  ou: { open: 0.3, width: -0.7, round: 1 },
});
