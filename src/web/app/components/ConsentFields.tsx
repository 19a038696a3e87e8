import { useI18n } from '../i18n.ts';
import { optionLabel } from '../i18n-values.ts';
import { CONSENT_BASES, type ConsentBasis, type ConsentDraft } from './consent-draft.ts';
import { Field, Select } from './Field.tsx';

/**
 * Who is shown and why animating them is allowed: the law asks for the consent of a real
 * person whose likeness is imitated, and the server records it in the provenance.
 */
export function ConsentFields({ value, onChange, refused }: { value: ConsentDraft; onChange: (draft: ConsentDraft) => void; refused: boolean }) {
  const { t, language } = useI18n();
  return (
    <fieldset className="consent" data-testid="consent">
      <legend>{t('dhConsentTitle')}</legend>
      <p className="note">{t('dhConsentLaw')}</p>
      {refused ? (
        <p className="consent-refusal" role="alert" data-testid="consent-refusal">
          {t('dhConsentRefused')}
        </p>
      ) : null}
      <div className="row">
        <Field label={t('dhConsentSubject')}>
          {(id) => <input id={id} value={value.subject} aria-invalid={refused && value.subject.trim() === ''} onChange={(e) => onChange({ ...value, subject: e.target.value })} />}
        </Field>
        <Field label={t('dhConsentBasis')}>
          {(id) => (
            <Select
              id={id}
              value={value.basis}
              options={['', ...CONSENT_BASES]}
              onChange={(basis) => onChange({ ...value, basis: basis as ConsentBasis | '' })}
              label={(basis) => (basis === '' ? t('dhChoose') : optionLabel(language, 'consentBasis', basis))}
            />
          )}
        </Field>
      </div>
      <Field label={t('dhConsentStatement')} wide>
        {(id) => <textarea id={id} rows={2} value={value.statement} onChange={(e) => onChange({ ...value, statement: e.target.value })} />}
      </Field>
    </fieldset>
  );
}
