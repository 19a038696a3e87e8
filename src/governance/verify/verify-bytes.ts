import { readC2pa, type C2paState } from '../c2pa/read.ts';
import { c2paFormatOf } from '../c2pa/formats.ts';
import { readImplicitLabels, sniffContainer, type AigcMarker, type Container } from '../implicit/index.ts';
import { hasExplicitTextLabel } from './explicit-text.ts';

/** What `shenbi verify` may demand of every file beyond "carries some AI label". */
export type VerifyRequirement = 'implicit' | 'c2pa' | 'trusted';

export interface VerifyOptions {
  /** PEM CA certificates a C2PA signer must chain to for `Trusted`. */
  readonly trustAnchors?: readonly string[];
  readonly require?: readonly VerifyRequirement[];
}

/**
 * `labeled`: every label found is valid and every requirement met. `untrusted`: the labels are
 * present and valid, and the only thing missing is trust — the C2PA signer does not chain to
 * a trust anchor while `trusted` was required (e.g. a file signed by another Shenbi home).
 * `unlabeled`: no label, or a required one missing. `invalid`: a tampered or malformed label.
 */
export type Verdict = 'labeled' | 'untrusted' | 'unlabeled' | 'invalid';

export interface LabelVerification {
  readonly mimeType: string;
  readonly container: Container;
  readonly implicit: {
    /** Whether the container has a metadata slot for it at all (plain text and SRT do not). */
    readonly possible: boolean;
    /** AIGC carriers found (exactly one is valid). */
    readonly count: number;
    readonly valid: boolean;
    readonly placement: string | null;
    readonly label: Record<string, unknown> | null;
    readonly problems: string[];
    /**
     * STL: the short `AIGC Label=… ProduceID=…` marker its header or solid name holds in
     * place of the label (which does not fit; it is in the producer's store and ledger).
     */
    readonly marker: AigcMarker | null;
    /** Why this file cannot hold the label (a USDZ whose default layer is binary .usdc), else null. */
    readonly storeOnly: string | null;
  };
  readonly digitalSourceType: string | null;
  readonly reproduction: unknown;
  readonly c2pa: {
    /** Whether c2pa-rs can carry a manifest in this container at all. */
    readonly supported: boolean;
    readonly state: C2paState;
    readonly reasons: string[];
    readonly digitalSourceType: string | null;
    readonly claimGenerator: string | null;
  };
  /** Text formats only: a visible AI notice (人工智能/AI + 生成/合成) at the start or end. */
  readonly explicitText: boolean | null;
  readonly verdict: Verdict;
  readonly problems: string[];
}

/** The MIME type c2pa-rs and the readers are given for a sniffed container. */
const MIME_BY_CONTAINER: Partial<Record<Container, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  mp4: 'video/mp4',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  markdown: 'text/markdown',
  json: 'application/json',
  gltf: 'model/gltf+json',
  glb: 'model/gltf-binary',
  stl: 'model/stl',
  '3mf': 'model/3mf',
  usdz: 'model/vnd.usdz+zip',
  midi: 'audio/midi',
  bvh: 'application/x-bvh',
  vtt: 'text/vtt',
  ass: 'text/x-ass',
  lrc: 'application/x-lrc',
  html: 'text/html',
  srt: 'application/x-subrip',
  text: 'text/plain',
};

const TEXT_CONTAINERS = new Set<Container>(['markdown', 'html', 'text', 'srt']);
/** Containers with no room for the label: it lives in the store and ledger (STL keeps a short marker). */
const NO_IMPLICIT_CARRIER = new Set<Container>(['text', 'srt', 'stl', 'unknown']);

/**
 * Every AI label a file carries, for any file (not only Shenbi's): the GB 45438 implicit
 * label and its validity, the IPTC source type, the C2PA manifest's validation state, and
 * for text a visible notice. `labeled` needs at least one valid label and none invalid, plus
 * whatever `require` adds; a tampered C2PA manifest or a malformed AIGC label is `invalid`.
 */
export async function verifyLabels(bytes: Uint8Array, options: VerifyOptions & { mimeType?: string } = {}): Promise<LabelVerification> {
  const container = sniffContainer(bytes);
  const mimeType = options.mimeType ?? MIME_BY_CONTAINER[container] ?? 'application/octet-stream';
  const problems: string[] = [];
  const possible = !NO_IMPLICIT_CARRIER.has(container);
  let implicit: LabelVerification['implicit'];
  let digitalSourceType: string | null = null;
  let reproduction: unknown = null;
  try {
    const report = readImplicitLabels(bytes, mimeType);
    const first = report.labels[0];
    implicit = {
      possible: possible && report.storeOnly === null,
      count: report.labels.length,
      valid: report.valid,
      placement: first?.placement ?? null,
      label: first?.label ?? null,
      problems: report.labels.length === 0 ? [] : report.problems,
      marker: report.marker,
      storeOnly: report.storeOnly,
    };
    digitalSourceType = report.digitalSourceType;
    reproduction = report.reproduction;
  } catch (error) {
    implicit = { possible, count: 0, valid: false, placement: null, label: null, problems: [`unreadable ${container} file: ${(error as Error).message}`], marker: null, storeOnly: null };
  }
  problems.push(...implicit.problems.map((p) => `implicit: ${p}`));

  const supported = c2paFormatOf(mimeType) !== null;
  let c2pa: LabelVerification['c2pa'] = { supported, state: 'None', reasons: [], digitalSourceType: null, claimGenerator: null };
  if (supported) {
    try {
      const read = await readC2pa(bytes, mimeType, options.trustAnchors === undefined ? {} : { trustAnchors: options.trustAnchors });
      c2pa = {
        supported,
        state: read.state,
        reasons: read.reasons,
        digitalSourceType: read.activeManifest?.digitalSourceType ?? null,
        claimGenerator: read.activeManifest?.claimGenerator ?? null,
      };
    } catch (error) {
      c2pa = { ...c2pa, state: 'Invalid', reasons: [(error as Error).message] };
    }
  }
  if (c2pa.state === 'Invalid') problems.push(`c2pa: invalid manifest (${c2pa.reasons.join(', ') || 'no reason given'})`);

  const explicitText = TEXT_CONTAINERS.has(container) ? hasExplicitTextLabel(bytes) : null;

  const invalid = (implicit.count > 0 && !implicit.valid) || c2pa.state === 'Invalid';
  const anyLabel = (implicit.count > 0 && implicit.valid) || implicit.marker !== null || c2pa.state === 'Valid' || c2pa.state === 'Trusted' || explicitText === true;
  const untrustedSigner = (options.require ?? []).includes('trusted') && supported && c2pa.state === 'Valid';
  for (const requirement of options.require ?? []) {
    if (requirement === 'implicit' && possible && !(implicit.count === 1 && implicit.valid)) problems.push('required: exactly one valid AIGC implicit label');
    if (requirement === 'c2pa' && supported && c2pa.state !== 'Valid' && c2pa.state !== 'Trusted') problems.push('required: a valid C2PA manifest');
    if (requirement === 'trusted' && supported && c2pa.state !== 'Trusted') {
      problems.push(
        untrustedSigner
          ? 'required: a trusted signer; the C2PA manifest is valid but its signer does not chain to a trust anchor (give its CA with --trust-anchor)'
          : `required: a C2PA manifest signed by a trusted signer (found ${c2pa.state})`,
      );
    }
  }
  if (!anyLabel && !invalid) {
    // Only text is searched for a visible notice; a mark drawn on a picture or spoken in a sound survives re-encoding, so say so rather than deny it.
    problems.push(
      explicitText === null
        ? 'no machine-readable AI label found (no AIGC implicit label, no C2PA manifest); a visible or audible notice in the content is not machine-checkable'
        : 'no AI label found (no AIGC implicit label, no C2PA manifest, no visible notice)',
    );
  }
  // Only trust failed: the untrusted signer is the one problem, and every label found is valid.
  const onlyTrustFailed = untrustedSigner && anyLabel && problems.length === 1;
  const verdict: Verdict = invalid ? 'invalid' : anyLabel && problems.length === 0 ? 'labeled' : onlyTrustFailed ? 'untrusted' : 'unlabeled';
  return { mimeType, container, implicit, digitalSourceType, reproduction, c2pa, explicitText, verdict, problems };
}
