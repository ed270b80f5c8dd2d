import { describe, expect, it } from 'vitest';
import { PlanGraphError, topologicalOrder } from '../../../src/engine/step-graph.js';
import type { PlanStep } from '../../../src/contracts/plan.js';

const s = (id: string, dependsOn: string[] = [], requiresSuccessOf?: string[]): PlanStep => ({
  id, action: 'x', input: {}, dependsOn, effect: 'contain', reversible: true, description: '', ...(requiresSuccessOf ? { requiresSuccessOf } : {}),
});

describe('topologicalOrder', () => {
  it('orders dependencies first and keeps plan order among independent steps', () => {
    const order = topologicalOrder([s('c', ['b']), s('a'), s('b', ['a']), s('d', [], ['a'])]).map((x) => x.id);
    expect(order).toEqual(['a', 'b', 'c', 'd']);
  });
  it('rejects cycles, unknown dependencies and duplicate ids', () => {
    expect(() => topologicalOrder([s('a', ['b']), s('b', ['a'])])).toThrow(/cycle: a -> b -> a/);
    expect(() => topologicalOrder([s('a', ['zz'])])).toThrow(PlanGraphError);
    expect(() => topologicalOrder([s('a'), s('a')])).toThrow(/duplicate step id "a"/);
  });
});
