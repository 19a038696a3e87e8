import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONSENT_BASES as SERVER_BASES, consentSchema } from '../../src/governance/moderation/consent.ts';
import { TALKING_HEAD_LAYOUTS, TALKING_HEAD_RESOLUTIONS } from '../../src/pipelines/steps/talking-head/talking-head-input.ts';
import { CONSENT_BASES, consentInput, EMPTY_CONSENT } from '../../src/web/app/components/consent-draft.ts';
import { optionLabel } from '../../src/web/app/i18n-values.ts';

/** The Digital human page offers exactly what the server accepts, each choice labelled in Chinese. */

const isChinese = (text: string): boolean => /[\u4e00-\u9fff]/.test(text);

test('the consent bases are the server\'s, each with a Chinese label', () => {
  assert.deepEqual([...CONSENT_BASES], [...SERVER_BASES]);
  for (const basis of CONSENT_BASES) assert.ok(isChinese(optionLabel('zh', 'consentBasis', basis)), basis);
});

test('every resolution and layout the step takes has a Chinese label (a pixel height such as 720p is its own label)', () => {
  for (const value of TALKING_HEAD_RESOLUTIONS) assert.ok(/^\d+p$/.test(value) || isChinese(optionLabel('zh', 'dhResolution', value)), value);
  for (const value of TALKING_HEAD_LAYOUTS) assert.ok(isChinese(optionLabel('zh', 'dhLayout', value)), value);
});

test('the consent the page sends passes the server\'s schema; an incomplete one is not sent', () => {
  assert.equal(consentInput(EMPTY_CONSENT), null);
  assert.equal(consentInput({ subject: '  ', basis: 'self', statement: '' }), null);
  assert.equal(consentInput({ subject: 'Eileen Collins', basis: '', statement: '' }), null);
  const given = consentInput({ subject: ' Eileen Collins ', basis: 'public-domain', statement: '' });
  assert.deepEqual(given, { subject: 'Eileen Collins', basis: 'public-domain' });
  assert.equal(consentSchema.safeParse(given).success, true);
  const withStatement = consentInput({ subject: 'Li Wei', basis: 'written', statement: 'I agree to a talking video of my face.' });
  assert.equal(consentSchema.safeParse(withStatement).success, true);
});
