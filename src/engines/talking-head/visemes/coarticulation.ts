import type { MouthShape, TimedViseme, Viseme } from '../types.ts';
import { VISEME_SHAPES } from './viseme-shapes.ts';

/**
 * Cohen–Massaro co-articulation: every viseme segment pulls the mouth towards its target
 * with a dominance that peaks at the segment's centre and falls off symmetrically in time;
 * the mouth at time t is the dominance-weighted mean of all targets. Symmetric, so nothing
 * lags: a vowel's opening peaks at the vowel's centre, where its energy is.
 *
 *   D(t) = α · exp(−2 · (max(0, |t − centre| − plateau) / width)²)
 *
 * Long segments (a pause) get a flat top (plateau) so their neighbours do not reach into
 * their middle; width is half the segment (at most 60 ms, at least a floor) plus a reach.
 */
interface Dominance {
  /** Peak dominance: how hard the segment insists on its shape. */
  readonly alpha: number;
  /** Seconds the influence reaches beyond half the segment. */
  readonly reach: number;
  /** Smallest half-width, seconds: short closures still show in a 25 fps frame. */
  readonly minHalf: number;
}

const VOWEL: Dominance = { alpha: 1, reach: 0.03, minHalf: 0.02 };
const CORONAL: Dominance = { alpha: 0.7, reach: 0.02, minHalf: 0.015 };

const DOMINANCE: Readonly<Record<Viseme, Dominance>> = {
  sil: { alpha: 1, reach: 0.03, minHalf: 0.02 },
  // The lips must really meet on p/b/m: high, short dominance that wins over both neighbours.
  PP: { alpha: 6, reach: 0.012, minHalf: 0.03 },
  FF: { alpha: 2.5, reach: 0.015, minHalf: 0.025 },
  TH: { alpha: 1.2, reach: 0.02, minHalf: 0.015 },
  DD: CORONAL,
  nn: CORONAL,
  SS: CORONAL,
  // Tongue-back sounds (k g ŋ h) barely shape the lips: the neighbouring vowels do.
  kk: { alpha: 0.35, reach: 0.02, minHalf: 0.015 },
  CH: { alpha: 1.2, reach: 0.02, minHalf: 0.02 },
  RR: { alpha: 1, reach: 0.02, minHalf: 0.02 },
  aa: VOWEL,
  E: VOWEL,
  ih: VOWEL,
  oh: VOWEL,
  ou: VOWEL,
};

const MAX_HALF = 0.06;
/** Beyond 3 widths a segment's dominance is below 1e-7 of its peak. */
const WIDTHS_OF_REACH = 3;

interface Segment {
  readonly centre: number;
  readonly plateau: number;
  readonly width: number;
  readonly alpha: number;
  readonly shape: MouthShape;
  /** Where its influence ends on either side. */
  readonly from: number;
  readonly to: number;
}

function segmentOf(item: TimedViseme): Segment {
  const dominance = DOMINANCE[item.viseme];
  const half = (item.end - item.start) / 2;
  const centre = item.start + half;
  const plateau = Math.max(0, half - MAX_HALF);
  const width = Math.max(Math.min(half, MAX_HALF), dominance.minHalf) + dominance.reach;
  const reach = plateau + WIDTHS_OF_REACH * width;
  return { centre, plateau, width, alpha: dominance.alpha, shape: VISEME_SHAPES[item.viseme], from: centre - reach, to: centre + reach };
}

/** Samples the blended mouth at each time (seconds, ascending). Where no segment reaches, the mouth rests. */
export function blendMouth(visemes: readonly TimedViseme[], times: ArrayLike<number>): MouthShape[] {
  const segments = visemes.filter((v) => v.end > v.start && Number.isFinite(v.start) && Number.isFinite(v.end)).map(segmentOf);
  segments.sort((a, b) => a.from - b.from);
  const out: MouthShape[] = [];
  // Segments are sorted by where their reach begins; `active` holds those that may reach t.
  let next = 0;
  let active: Segment[] = [];
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    while (next < segments.length && segments[next]!.from <= t) active.push(segments[next++]!);
    active = active.filter((s) => s.to >= t);
    let weight = 0;
    let open = 0;
    let width = 0;
    let round = 0;
    for (const s of active) {
      const distance = Math.max(0, Math.abs(t - s.centre) - s.plateau) / s.width;
      const d = s.alpha * Math.exp(-2 * distance * distance);
      weight += d;
      open += d * s.shape.open;
      width += d * s.shape.width;
      round += d * s.shape.round;
    }
    out.push(weight > 1e-9 ? { open: open / weight, width: width / weight, round: round / weight } : VISEME_SHAPES.sil);
  }
  return out;
}
