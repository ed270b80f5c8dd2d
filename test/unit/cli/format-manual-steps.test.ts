/** `plan`, `show` and `respond` print a plan's manual steps loudly (`!!` on every line), print-safe. */
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/contracts/plan.js';
import { formatManualSteps } from '../../../src/cli/print-incident.js';

const plan = (manualSteps?: Plan['manualSteps']): Plan => ({ playbook: 'root', incidentKey: 'k', steps: [], ...(manualSteps ? { manualSteps } : {}) });

describe('formatManualSteps', () => {
  it('marks every line of the headline and the steps with !!', () => {
    expect(formatManualSteps(plan([{ id: 'rotate', title: 'Rotate the root password', why: 'Only root can.', commands: ['aws iam list-access-keys'] }]))).toEqual([
      '  !! ACTION REQUIRED BY A HUMAN: 1 manual step (Tourniquet does not do it)',
      '  !! 1. Rotate the root password [rotate]',
      '  !!    why: Only root can.',
      '  !!    $ aws iam list-access-keys',
    ]);
  });

  it('prints nothing for a plan without manual steps (journaled before they existed, or none)', () => {
    expect(formatManualSteps(plan())).toEqual([]);
    expect(formatManualSteps(plan([]))).toEqual([]);
  });

  it('cannot forge lines or drive the terminal with a hostile value', () => {
    const lines = formatManualSteps(plan([{ id: 'x', title: 'a\nFORGED\u001b[2J\u202e', why: 'w', commands: ['echo \u001b]0;title\u0007'] }]));
    expect(lines).toHaveLength(4);
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    for (const l of lines) expect(l).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });
});
