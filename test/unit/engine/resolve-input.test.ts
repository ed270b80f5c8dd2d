import { describe, expect, it } from 'vitest';
import { resolveInput } from '../../../src/engine/resolve-input.js';
import type { StepRecord } from '../../../src/journal/journal.js';

const rec = (stepId: string, output: StepRecord['output']): StepRecord => ({ incidentId: 'i', stepId, action: 'a', status: 'done', attempts: 1, output, updatedAt: '' });

describe('resolveInput', () => {
  it('replaces $ref values with an earlier step output, deeply', () => {
    const records = new Map([['snap', rec('snap', { snapshotIds: ['snap-1', 'snap-2'] })]]);
    expect(resolveInput('stop', { instanceId: 'i-1', nested: { ids: { $ref: 'snap.output.snapshotIds' } } }, records)).toEqual({
      instanceId: 'i-1',
      nested: { ids: ['snap-1', 'snap-2'] },
    });
  });
  it('fails with a StepError when the reference resolves to nothing', () => {
    expect(() => resolveInput('stop', { x: { $ref: 'snap.output.missing' } }, new Map([['snap', rec('snap', {})]]))).toThrow(/resolved to nothing/);
    expect(() => resolveInput('stop', { x: { $ref: 'nope.output.x' } }, new Map())).toThrow(/does not name/);
  });
  it('does not follow inherited properties such as __proto__', () => {
    const records = new Map([['s', rec('s', JSON.parse('{"a":{}}') as StepRecord['output'])]]);
    expect(() => resolveInput('t', { x: { $ref: 's.output.a.constructor' } }, records)).toThrow(/resolved to nothing/);
  });
});
