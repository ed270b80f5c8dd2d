/**
 * Modes are ordered observe < approve < contain. Guardrails can only lower a mode, never raise it.
 */
import type { Mode } from '../contracts/plan.js';

const RANK: Readonly<Record<Mode, number>> = { observe: 0, approve: 1, contain: 2 };

export function modeRank(mode: Mode): number {
  return RANK[mode];
}

/** The lower (safer) of two modes. */
export function lowerMode(a: Mode, b: Mode): Mode {
  return RANK[a] <= RANK[b] ? a : b;
}
