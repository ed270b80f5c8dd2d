/** Moved to the contracts module (`src/contracts/plan.ts`); this path stays for existing importers. */
export type { EffectClass, Mode, Plan, PlanStep } from '../contracts/plan.js';
export { EFFECT_ORDER, maxEffect } from '../contracts/plan.js';
