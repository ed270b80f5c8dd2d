/**
 * When a delivery may be acknowledged: finished (contained, observed, waiting for a human) or failed explicitly
 * (a permanent error) — not while a step runs or failed on a transient error.
 */
import { describe, expect, it } from 'vitest';
import { assertPlansFinished, unfinishedReason } from '../../../src/engine/plan-finished.js';
import type { RespondResult } from '../../../src/engine/responder.js';
import { IncidentUnfinishedError } from '../../../src/errors.js';
import type { StepRecord, StepStatus } from '../../../src/journal/journal.js';

const rec = (stepId: string, status: StepStatus, extra: Partial<StepRecord> = {}): StepRecord => ({ incidentId: 'i', stepId, action: stepId, status, attempts: 1, updatedAt: 't', ...extra });

describe('unfinishedReason', () => {
  it('finished: done, waiting for approval, observed, or failed on a permanent error', () => {
    expect(unfinishedReason('contained', [rec('a', 'done'), rec('b', 'awaiting-approval')])).toBeUndefined();
    expect(unfinishedReason('observed', [rec('a', 'planned')])).toBeUndefined();
    expect(unfinishedReason('partial', [rec('a', 'failed', { error: { name: 'AccessDenied', message: 'no', transient: false } })])).toBeUndefined();
  });

  it('unfinished: a running step (named with its holder) or a transient failure', () => {
    expect(unfinishedReason('in-progress', [rec('a', 'running', { leaseOwner: 'r1', leaseUntil: '2026-11-28T10:00:00.000Z' })])).toBe('running: a (held by r1 until 2026-11-28T10:00:00.000Z)');
    expect(unfinishedReason('partial', [rec('b', 'failed', { error: { name: 'Throttling', message: 'x', transient: true } })])).toBe(
      'failed on a transient error, retried on re-delivery: b (Throttling)',
    );
    expect(unfinishedReason('in-progress', [rec('a', 'planned')])).toBe('steps left to run');
  });

  it('assertPlansFinished names every unfinished incident in one IncidentUnfinishedError', () => {
    const outcome = (incidentId: string, status: string, steps: StepRecord[]) => ({ incidentId, status, steps }) as unknown as RespondResult['outcomes'][number];
    const ok: RespondResult = { findingId: 'f', outcomes: [outcome('inc-1', 'contained', [rec('a', 'done')])] };
    expect(() => assertPlansFinished(ok)).not.toThrow();
    const bad: RespondResult = { findingId: 'f', outcomes: [outcome('inc-1', 'contained', []), outcome('inc-2', 'in-progress', [rec('a', 'running', { leaseOwner: 'x', leaseUntil: 'u' })])] };
    expect(() => assertPlansFinished(bad)).toThrow(IncidentUnfinishedError);
    expect(() => assertPlansFinished(bad)).toThrow('plan unfinished: incident inc-2 (running: a (held by x until u))');
  });
});
