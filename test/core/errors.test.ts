import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CODES, ShenbiError, fromSerializedError, toShenbiError } from '../../src/core/errors.ts';
import { isValidId, newId } from '../../src/core/ids.ts';

test('every error code maps to an exit status and an HTTP status', () => {
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    assert.ok(Number.isInteger(info.exit) && info.exit > 0, code);
    assert.ok(info.http >= 400 && info.http < 600, code);
  }
});

test('toShenbiError keeps typed errors and maps disk-full and abort errors to stable codes', () => {
  const typed = new ShenbiError('MODEL_NOT_INSTALLED', 'x', { hint: 'shenbi models pull m' });
  assert.equal(toShenbiError(typed), typed);

  const enospc = Object.assign(new Error('write failed'), { code: 'ENOSPC' });
  const full = toShenbiError(enospc);
  assert.equal(full.code, 'DISK_FULL');
  assert.equal(full.exitCode, 5);

  const abort = new DOMException('stopped', 'AbortError');
  assert.equal(toShenbiError(abort).code, 'JOB_CANCELLED');
  assert.equal(toShenbiError('weird').code, 'INTERNAL');
});

test('errors survive a round trip through their stored JSON', () => {
  const original = new ShenbiError('INVALID_INPUT', 'bad', { details: { issues: [{ path: 'a', message: 'b' }] }, hint: 'fix a' });
  const back = fromSerializedError(JSON.parse(JSON.stringify(original)));
  assert.equal(back.code, 'INVALID_INPUT');
  assert.equal(back.hint, 'fix a');
  assert.deepEqual(back.details, original.details);
  assert.equal(fromSerializedError({ code: 'NOT_A_CODE' as 'INTERNAL', message: 'm' }).code, 'INTERNAL');
});

test('ids are time-ordered, unique and only of the accepted shape', () => {
  const ids = Array.from({ length: 2000 }, () => newId('job'));
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.ok(isValidId(id, 'job'), id);
  assert.ok(!isValidId('job_../../etc/passwd', 'job'));
  assert.ok(!isValidId(ids[0]!, 'art'));
  const early = newId('art');
  const later = new Promise<string>((resolve) => setTimeout(() => resolve(newId('art')), 3));
  return later.then((l) => assert.ok(l.slice(4, 14) > early.slice(4, 14)));
});
