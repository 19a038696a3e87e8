import { AIGC_KEYS } from '../aigc.ts';
import { AIGC_VALUE_PATTERN } from './payload.ts';
import type { FoundAigcLabel, RawAigc } from './types.ts';

/**
 * Checks one stored AIGC value against GB 45438-2025 Annex E: the seven keys in order, string
 * values in the Annex E j) charset, Label "1", "2" or "3". Both the bare object and the
 * {"AIGC":{...}} wrapper are accepted (containers differ in practice).
 */
export function inspectAigc(found: RawAigc): FoundAigcLabel {
  const raw = typeof found.value === 'string' ? found.value : JSON.stringify(found.value);
  let parsed: unknown = found.value;
  if (typeof found.value === 'string') {
    try {
      // Some writers (exiftool on RIFF chunks, C strings) leave NUL padding behind.
      parsed = JSON.parse(found.value.replace(/\0+$/, '').trim());
    } catch {
      return { placement: found.placement, raw, wrapped: false, label: null, valid: false, problems: ['the AIGC value is not JSON'] };
    }
  }
  if (!isObject(parsed)) return { placement: found.placement, raw, wrapped: false, label: null, valid: false, problems: ['the AIGC value is not a JSON object'] };
  const keys = Object.keys(parsed);
  const wrapped = keys.length === 1 && keys[0] === 'AIGC' && isObject(parsed.AIGC);
  const label = wrapped ? (parsed.AIGC as Record<string, unknown>) : parsed;
  const problems: string[] = [];
  const labelKeys = Object.keys(label);
  if (labelKeys.join(',') !== AIGC_KEYS.join(',')) problems.push(`keys must be exactly ${AIGC_KEYS.join(', ')} in that order; found ${labelKeys.join(', ') || 'none'}`);
  for (const key of labelKeys) {
    const value = label[key];
    if (typeof value !== 'string') problems.push(`${key} must be a string`);
    else if (!AIGC_VALUE_PATTERN.test(value)) problems.push(`${key} must be printable ASCII without space, " or \\`);
  }
  if (typeof label.Label === 'string' && !['1', '2', '3'].includes(label.Label)) problems.push('Label must be "1", "2" or "3"');
  if (typeof label.ProduceID === 'string' && label.ProduceID === '') problems.push('ProduceID is empty');
  return { placement: found.placement, raw, wrapped, label, valid: problems.length === 0, problems };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
