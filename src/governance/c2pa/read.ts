/**
 * Reads and validates an embedded C2PA manifest with c2pa-rs (the same library that signs;
 * no independent c2patool exists on Debian). `Trusted` needs the signer to chain to one of
 * the given trust anchors; without anchors a well-formed, intact manifest is `Valid`.
 */
import { z } from 'zod';
import { WasmReader } from '@contentauth/c2pa-wasm';
import { c2paFormatOf } from './formats.ts';
import { c2paSettings, ensureC2paWasm } from './wasm-runtime.ts';

export type C2paState = 'Trusted' | 'Valid' | 'Invalid' | 'None';

export interface C2paReadAction {
  readonly action: string;
  readonly digitalSourceType: string | null;
  readonly softwareAgent: string | null;
}

export interface C2paActiveManifest {
  readonly label: string | null;
  /** `name/version` of the first claim_generator_info entry. */
  readonly claimGenerator: string | null;
  readonly title: string | null;
  readonly actions: C2paReadAction[];
  /** The first action's digitalSourceType. */
  readonly digitalSourceType: string | null;
  readonly signer: { readonly issuer: string | null; readonly commonName: string | null };
}

export interface C2paReadResult {
  readonly present: boolean;
  readonly state: C2paState;
  /** Failure status codes (e.g. assertion.dataHash.mismatch, signingCredential.untrusted). */
  readonly reasons: string[];
  readonly activeManifest: C2paActiveManifest | null;
}

export interface ReadC2paOptions {
  /** PEM certificates a trusted signer must chain to. */
  readonly trustAnchors?: readonly string[];
}

// The slice of c2pa-rs's manifest-store JSON this reader relies on; the rest passes through.
const statusSchema = z.object({ code: z.string() }).loose();
const actionSchema = z
  .object({
    action: z.string(),
    digitalSourceType: z.string().optional(),
    softwareAgent: z.union([z.string(), z.object({ name: z.string(), version: z.string().optional() }).loose()]).optional(),
  })
  .loose();
const manifestSchema = z
  .object({
    title: z.string().optional(),
    claim_generator_info: z.array(z.object({ name: z.string(), version: z.string().optional() }).loose()).optional(),
    claim_generator: z.string().optional(),
    assertions: z.array(z.object({ label: z.string(), data: z.unknown() }).loose()).optional(),
    signature_info: z.object({ issuer: z.string().optional(), common_name: z.string().optional() }).loose().optional(),
  })
  .loose();
const storeSchema = z
  .object({
    active_manifest: z.string().optional(),
    manifests: z.record(z.string(), manifestSchema).optional(),
    validation_state: z.enum(['Invalid', 'Valid', 'Trusted']).optional(),
    validation_status: z.array(statusSchema).optional(),
    validation_results: z
      .object({
        activeManifest: z.object({ failure: z.array(statusSchema).optional() }).loose().optional(),
        ingredientDeltas: z.array(z.object({ validationDeltas: z.object({ failure: z.array(statusSchema).optional() }).loose() }).loose()).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

function agentName(agent: z.infer<typeof actionSchema>['softwareAgent']): string | null {
  if (agent === undefined) return null;
  if (typeof agent === 'string') return agent;
  return agent.version === undefined ? agent.name : `${agent.name}/${agent.version}`;
}

function activeManifestOf(store: z.infer<typeof storeSchema>): C2paActiveManifest | null {
  const label = store.active_manifest ?? null;
  const manifest = label === null ? undefined : store.manifests?.[label];
  if (manifest === undefined) return null;
  const actions: C2paReadAction[] = [];
  for (const assertion of manifest.assertions ?? []) {
    if (assertion.label !== 'c2pa.actions' && assertion.label !== 'c2pa.actions.v2') continue;
    const parsed = z.object({ actions: z.array(actionSchema) }).loose().safeParse(assertion.data);
    if (!parsed.success) continue;
    for (const a of parsed.data.actions) actions.push({ action: a.action, digitalSourceType: a.digitalSourceType ?? null, softwareAgent: agentName(a.softwareAgent) });
  }
  const generator = manifest.claim_generator_info?.[0];
  return {
    label,
    claimGenerator: generator ? (generator.version === undefined ? generator.name : `${generator.name}/${generator.version}`) : (manifest.claim_generator ?? null),
    title: manifest.title ?? null,
    actions,
    digitalSourceType: actions.find((a) => a.digitalSourceType !== null)?.digitalSourceType ?? null,
    signer: { issuer: manifest.signature_info?.issuer ?? null, commonName: manifest.signature_info?.common_name ?? null },
  };
}

function failureCodes(store: z.infer<typeof storeSchema>): string[] {
  const results = store.validation_results;
  const codes = results
    ? [...(results.activeManifest?.failure ?? []), ...(results.ingredientDeltas ?? []).flatMap((d) => d.validationDeltas.failure ?? [])].map((s) => s.code)
    : (store.validation_status ?? []).map((s) => s.code);
  return [...new Set(codes)];
}

/** Error text from c2pa-rs when the asset holds no manifest at all. */
const NO_MANIFEST = /JumbfNotFound|ManifestNotFound|NotFound|no JUMBF/i;

export async function readC2pa(bytes: Uint8Array, mimeType: string, options: ReadC2paOptions = {}): Promise<C2paReadResult> {
  const format = c2paFormatOf(mimeType);
  if (format === null) return { present: false, state: 'None', reasons: ['format.unsupported'], activeManifest: null };
  ensureC2paWasm();
  const anchors = options.trustAnchors?.length ? options.trustAnchors.map((pem) => pem.trim()).join('\n') : undefined;
  let reader: WasmReader;
  try {
    reader = await WasmReader.fromBytes(format, bytes, c2paSettings(anchors === undefined ? {} : { trustAnchorsPem: anchors }));
  } catch (error) {
    const message = String(error);
    if (NO_MANIFEST.test(message)) return { present: false, state: 'None', reasons: [], activeManifest: null };
    // A manifest is there but c2pa-rs cannot even load it (broken JUMBF, bad COSE, ...).
    return { present: true, state: 'Invalid', reasons: [message], activeManifest: null };
  }
  try {
    const store = storeSchema.parse(JSON.parse(reader.json()));
    const reasons = failureCodes(store);
    const state: C2paState = store.validation_state ?? (reasons.length === 0 ? 'Valid' : 'Invalid');
    return { present: true, state, reasons, activeManifest: activeManifestOf(store) };
  } finally {
    reader.free();
  }
}
