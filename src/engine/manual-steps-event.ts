/**
 * The timeline event that tells what a human must do (the plan's manual steps): written when an incident's first
 * occurrence is merged and when an escalation adds manual steps, so `show` and the journal say it next to the steps.
 */
import type { ManualStep } from '../contracts/plan.js';
import type { Json } from '../findings/model.js';
import type { NewTimelineEvent } from '../journal/journal.js';
import { manualStepsSummary } from '../notify/manual-step-lines.js';

export const MANUAL_STEPS_EVENT = 'manual-steps';

/** The event for `steps` (undefined when there are none). */
export function manualStepsEvent(steps: readonly ManualStep[], at: string): NewTimelineEvent | undefined {
  if (steps.length === 0) return undefined;
  return { at, type: MANUAL_STEPS_EVENT, message: manualStepsSummary(steps), data: JSON.parse(JSON.stringify(steps)) as Json };
}
