/**
 * Manual steps as plain lines, the one wording every face uses (notifications, `plan`, `show`, the timeline): a loud
 * header, then each step numbered with why and its exact commands. The lines carry finding values raw; each renderer
 * makes them safe for where they go (the terminal, e-mail, Slack).
 */
import type { ManualStep } from '../contracts/plan.js';

/** `ACTION REQUIRED BY A HUMAN: 2 manual steps …` (no lines at all when there are none). */
export function manualStepsHeadline(steps: readonly ManualStep[]): string {
  return `ACTION REQUIRED BY A HUMAN: ${steps.length} manual step${steps.length === 1 ? '' : 's'} (Tourniquet does not do ${steps.length === 1 ? 'it' : 'these'})`;
}

/** The headline, then per step `1. title [id]`, `   why: …`, `   $ command`. */
export function manualStepLines(steps: readonly ManualStep[]): string[] {
  if (steps.length === 0) return [];
  const lines = [manualStepsHeadline(steps)];
  steps.forEach((m, i) => {
    lines.push(`${i + 1}. ${m.title} [${m.id}]`, `   why: ${m.why}`);
    for (const c of m.commands ?? []) lines.push(`   $ ${c}`);
  });
  return lines;
}

/** One line for the timeline: `1. title; 2. title`. */
export function manualStepsSummary(steps: readonly ManualStep[]): string {
  return `${manualStepsHeadline(steps)}: ${steps.map((m, i) => `${i + 1}. ${m.title}`).join('; ')}`;
}
