import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';

/** Why imitating the person is allowed. 'ai-generated' declares the face is no real person's. */
export const CONSENT_BASES = ['self', 'written', 'contract', 'public-domain', 'ai-generated'] as const;
export type ConsentBasis = (typeof CONSENT_BASES)[number];

/**
 * Consent of the person whose face or voice a feature imitates (voice cloning, a talking
 * portrait, face swap). Required in the task input wherever a real person's likeness is used,
 * and recorded in the output's provenance. A record names who and on what basis (`basis`),
 * or quotes what they agreed to (`statement`); `given: true` may accompany either.
 */
export const consentSchema = z
  .object({
    given: z.literal(true).optional(),
    /** Who consented: the person imitated (a name or an account id). */
    subject: z.string().trim().min(1).max(200),
    basis: z.enum(CONSENT_BASES).optional(),
    /** What they agreed to, in their words or the form's. */
    statement: z.string().trim().min(10).max(4000).optional(),
  })
  .strict()
  .refine((consent) => consent.basis !== undefined || consent.statement !== undefined, { message: `give a basis (${CONSENT_BASES.join(', ')}) or the statement they agreed to`, path: ['basis'] });
export type Consent = z.infer<typeof consentSchema>;

/** A task-input field: `consent: consentField` (optional in the schema; requireConsent enforces it where it matters). */
export const consentField = consentSchema.optional();

/**
 * Throws GOVERNANCE_REFUSED (details.reason 'consent.missing' or 'consent.invalid') unless
 * the input carries a valid consent record for imitating `feature` (e.g. "voice cloning").
 */
export function requireConsent(input: { consent?: unknown }, feature: string): Consent {
  if (input.consent === undefined || input.consent === null) {
    throw new ShenbiError('GOVERNANCE_REFUSED', `${feature} imitates a real person and needs their consent: add consent { subject, basis } to the input (basis: ${CONSENT_BASES.join(' | ')}).`, {
      details: { reason: 'consent.missing', feature },
      hint: 'Only imitate a face or voice whose owner agreed; record who and on what basis in "consent" (it is kept in the provenance).',
    });
  }
  const parsed = consentSchema.safeParse(typeof input.consent === 'string' ? parseJsonOrString(input.consent) : input.consent);
  if (!parsed.success) {
    throw new ShenbiError('GOVERNANCE_REFUSED', `The consent given for ${feature} is incomplete: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'consent'}: ${i.message}`).join('; ')}.`, {
      details: { reason: 'consent.invalid', feature, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  return parsed.data;
}

/** `--set consent='{"subject":…}'` arrives as a string from the CLI and forms. */
function parseJsonOrString(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
