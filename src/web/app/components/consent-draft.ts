/** The bases the server accepts (CONSENT_BASES in src/governance/moderation/consent.ts); '' = not chosen yet. */
export const CONSENT_BASES = ['self', 'written', 'contract', 'public-domain', 'ai-generated'] as const;
export type ConsentBasis = (typeof CONSENT_BASES)[number];

export interface ConsentDraft {
  subject: string;
  basis: ConsentBasis | '';
  statement: string;
}

export const EMPTY_CONSENT: ConsentDraft = { subject: '', basis: '', statement: '' };

/** The pipeline's `consent` input, or null while who or on what basis is missing. */
export function consentInput(draft: ConsentDraft): { subject: string; basis: ConsentBasis; statement?: string } | null {
  const subject = draft.subject.trim();
  if (subject === '' || draft.basis === '') return null;
  const statement = draft.statement.trim();
  return statement === '' ? { subject, basis: draft.basis } : { subject, basis: draft.basis, statement };
}
