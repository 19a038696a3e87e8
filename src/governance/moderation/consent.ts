import { z } from 'zod';
import { ShenbiError } from '../../core/errors.ts';

/**
 * Consent of the person whose face or voice a feature imitates (voice cloning, face swap,
 * portrait reference). Required in the task input wherever a real person's reference is named.
 */
export const consentSchema = z
  .object({
    given: z.literal(true),
    /** Who consented: the person imitated (a name or an account id). */
    subject: z.string().trim().min(1).max(200),
    /** What they agreed to, in their words or the form's. */
    statement: z.string().trim().min(10).max(4000),
  })
  .strict();
export type Consent = z.infer<typeof consentSchema>;

/** A task-input field: `consent: consentField` (optional in the schema; requireConsent enforces it where it matters). */
export const consentField = consentSchema.optional();

/**
 * Throws GOVERNANCE_REFUSED (details.reason 'consent.missing' or 'consent.invalid') unless
 * the input carries a valid consent record for imitating `feature` (e.g. "voice cloning").
 */
export function requireConsent(input: { consent?: unknown }, feature: string): Consent {
  if (input.consent === undefined || input.consent === null) {
    throw new ShenbiError('GOVERNANCE_REFUSED', `${feature} imitates a real person and needs their consent: add consent { given: true, subject, statement } to the input.`, {
      details: { reason: 'consent.missing', feature },
      hint: 'Only imitate a face or voice whose owner agreed; record who and what they agreed to in "consent".',
    });
  }
  const parsed = consentSchema.safeParse(input.consent);
  if (!parsed.success) {
    throw new ShenbiError('GOVERNANCE_REFUSED', `The consent given for ${feature} is incomplete: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'consent'}: ${i.message}`).join('; ')}.`, {
      details: { reason: 'consent.invalid', feature, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  return parsed.data;
}
