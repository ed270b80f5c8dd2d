/** The timeline event for manual steps: one line naming each, the steps themselves as data; none without steps. */
import { describe, expect, it } from 'vitest';
import { MANUAL_STEPS_EVENT, manualStepsEvent } from '../../../src/engine/manual-steps-event.js';

describe('manualStepsEvent', () => {
  it('names every step on one line and keeps them whole as its data', () => {
    const steps = [
      { id: 'rotate-root', title: 'Rotate the root user’s password', why: 'Only the root user can.', commands: ['Console → Security credentials'] },
      { id: 'check', title: 'Check CloudTrail', why: 'Other changes.' },
    ];
    expect(manualStepsEvent(steps, '2026-12-03T08:00:00.000Z')).toEqual({
      at: '2026-12-03T08:00:00.000Z',
      type: MANUAL_STEPS_EVENT,
      message: 'ACTION REQUIRED BY A HUMAN: 2 manual steps (Tourniquet does not do these): 1. Rotate the root user’s password; 2. Check CloudTrail',
      data: steps,
    });
  });

  it('is undefined without steps', () => {
    expect(manualStepsEvent([], '2026-12-03T08:00:00.000Z')).toBeUndefined();
  });
});
