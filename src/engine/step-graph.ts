/**
 * Dependency order of a plan's steps. Validates that every dependency exists and that there is no cycle, so the
 * executor can trust the graph.
 */
import { TourniquetError } from '../errors.js';
import type { PlanStep } from '../contracts/plan.js';

export class PlanGraphError extends TourniquetError {
  override readonly name = 'PlanGraphError';
  declare readonly code: 'plan.invalid';
  constructor(message: string) {
    super('plan.invalid', message);
  }
}

/** Steps in a topological order (stable: plan order among independent steps). Throws PlanGraphError. */
export function topologicalOrder(steps: readonly PlanStep[]): PlanStep[] {
  const byId = new Map<string, PlanStep>();
  for (const s of steps) {
    if (byId.has(s.id)) throw new PlanGraphError(`duplicate step id ${JSON.stringify(s.id)}`);
    byId.set(s.id, s);
  }
  for (const s of steps) {
    for (const d of allDependencies(s)) {
      if (!byId.has(d)) throw new PlanGraphError(`step ${s.id} depends on unknown step ${JSON.stringify(d)}`);
    }
  }
  const order: PlanStep[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (s: PlanStep, path: string[]): void => {
    const st = state.get(s.id);
    if (st === 'done') return;
    if (st === 'visiting') throw new PlanGraphError(`dependency cycle: ${[...path, s.id].join(' -> ')}`);
    state.set(s.id, 'visiting');
    for (const d of allDependencies(s)) visit(byId.get(d)!, [...path, s.id]);
    state.set(s.id, 'done');
    order.push(s);
  };
  for (const s of steps) visit(s, []);
  return order;
}

/** `dependsOn`, `requiresSuccessOf`, `after` and `afterChangeOf`, de-duplicated: every step that must come first. */
export function allDependencies(step: PlanStep): string[] {
  return [...new Set([...step.dependsOn, ...(step.requiresSuccessOf ?? []), ...(step.after ?? []), ...(step.afterChangeOf ?? [])])];
}
