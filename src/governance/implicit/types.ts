import type { ReproductionRecord } from './payload.ts';

/** The container families implicit labels know, as sniffed from bytes or named by MIME type. */
export type Container =
  | 'png'
  | 'jpeg'
  | 'webp'
  | 'mp4'
  | 'mp3'
  | 'wav'
  | 'flac'
  | 'ogg'
  | 'markdown'
  | 'json'
  | 'gltf'
  | 'glb'
  | 'stl'
  | '3mf'
  | 'usdz'
  | 'bvh'
  | 'midi'
  | 'vtt'
  | 'ass'
  | 'lrc'
  | 'html'
  | 'srt'
  | 'text'
  | 'unknown';

/**
 * Where the AIGC label lives in a file. 'store': nowhere in the bytes (the format has no
 * metadata slot, or is unknown); the label is only recorded with the artifact.
 */
export type Placement =
  | 'xmp'
  | 'mp4-udta'
  | 'id3-txxx'
  | 'riff-chunk'
  | 'vorbis-comment'
  | 'front-matter'
  | 'json-member'
  | 'gltf-extras'
  | 'midi-text-event'
  | 'vtt-note'
  | 'ass-script-info'
  | 'lrc-tag'
  | 'html-meta'
  | 'png-text'
  | '3mf-metadata'
  | 'usdz-layer-data'
  | 'bvh-end-site'
  | 'stl-header'
  | 'stl-solid-name'
  | 'store';

export interface EmbeddedLabel {
  /** The labeled file (the input unchanged when placement is 'store'). */
  readonly bytes: Uint8Array;
  readonly container: Container;
  readonly placement: Placement;
  /** Why the label is not in the bytes, when placement is 'store'. */
  readonly note: string | null;
}

/** One AIGC carrier as a container reader found it: its text (or a JSON object, for JSON-native carriers). */
export interface RawAigc {
  readonly placement: Placement;
  readonly value: string | Record<string, unknown>;
}

/**
 * A short AIGC marker, where a format has only a few bytes of free text (STL's 80-byte
 * header): `AIGC Label=1 ProduceID=<id>`. It says the file is AI-generated and names the
 * artifact; the full seven-key label is in the store and the provenance ledger.
 */
export interface AigcMarker {
  readonly placement: 'stl-header' | 'stl-solid-name';
  readonly text: string;
  readonly label: string;
  /** null when the id did not fit beside the marker. */
  readonly produceId: string | null;
}

/** What a container reader extracts, before validation. */
export interface RawFindings {
  readonly aigc: RawAigc[];
  readonly digitalSourceType: string | null;
  readonly reproduction: ReproductionRecord | null;
  /** Formats too small for the label (STL): the marker found, if any. */
  readonly marker?: AigcMarker | null;
  /** Why this file cannot hold the label at all (a USDZ whose default layer is binary): it is in the store and ledger. */
  readonly storeOnly?: string | null;
}

export interface FoundAigcLabel {
  readonly placement: Placement;
  /** The stored text (JSON-native carriers: the object re-serialized). */
  readonly raw: string;
  /** Stored as {"AIGC":{...}} rather than the bare seven-key object. */
  readonly wrapped: boolean;
  /** The seven-key object, when the text parsed as JSON. */
  readonly label: Record<string, unknown> | null;
  readonly valid: boolean;
  readonly problems: string[];
}

export interface ImplicitLabelReport {
  readonly container: Container;
  /** Every AIGC carrier found; more than one is itself a defect (one label per file). */
  readonly labels: FoundAigcLabel[];
  readonly digitalSourceType: string | null;
  readonly reproduction: ReproductionRecord | null;
  /** STL: the short marker standing in for the label the format cannot hold (null elsewhere). */
  readonly marker: AigcMarker | null;
  /** Why this file cannot hold the label (a USDZ with a binary default layer), else null. */
  readonly storeOnly: string | null;
  /** Exactly one AIGC carrier, and it is valid. */
  readonly valid: boolean;
  readonly problems: string[];
}

export const NO_FINDINGS: RawFindings = { aigc: [], digitalSourceType: null, reproduction: null };
