/** A journaled decision for tests that open incidents directly (the engine under test does not read it). */
import type { Mode } from '../../src/contracts/plan.js';
import type { Decision } from '../../src/policy/decision.js';

export function decisionFixture(mode: Mode = 'contain', playbook = 'p', extra: Partial<Decision> = {}): Decision {
  return {
    playbook,
    requestedMode: mode,
    effectiveMode: mode,
    stepOverrides: {},
    verdicts: [],
    decidedBy: 'defaults',
    why: [],
    notify: false,
    policySource: '<test>',
    ...extra,
  };
}
