/**
 * A step's lease as its holder knows it: valid until the last claim or renewal that landed, plus the lease. It is the
 * step's fence (src/aws/step-fence.ts): a call that changes something is not sent once the lease is lost (a renewal
 * lost to a taker), or when it runs out within the margin — a call sent then could still be on its way, or not yet
 * visible to reads, when another responder takes the step over and looks for what it did.
 */
import type { StepFence } from '../aws/step-fence.js';
import { LeaseLostError } from '../errors.js';
import { READ_OPERATION } from './aws-rate-limits.js';

/** The most a call is given to land (and show in reads) before the lease runs out; a quarter of a shorter lease. */
export const SEND_MARGIN_MAX_MS = 15_000;

export class HeldLease implements StepFence {
  private validUntil: number | undefined;
  private lost = false;
  private readonly margin: number;

  constructor(
    private readonly stepId: string,
    private readonly leaseMs: number,
    private readonly now: () => Date,
  ) {
    this.margin = Math.min(SEND_MARGIN_MAX_MS, Math.floor(leaseMs / 4));
  }

  /** The claim or a renewal written at `at` (its `leaseUntil` = `at` + the lease) has landed. */
  held(at: Date): void {
    this.validUntil = Math.max(this.validUntil ?? 0, at.getTime() + this.leaseMs);
  }

  /** A renewal lost: another responder holds the step. */
  takenOver(): void {
    this.lost = true;
  }

  beforeSend(operation: string): void {
    // Before the claim nothing is held and nothing may change (a step reads its pre-image first); reads are never
    // fenced. An operation without a name is taken for a change.
    if (this.validUntil === undefined || READ_OPERATION.test(operation)) return;
    const name = operation === '' ? 'a call' : operation;
    if (this.lost) throw new LeaseLostError(this.stepId, name, 'another responder took the step over');
    const left = this.validUntil - this.now().getTime();
    if (left < this.margin) {
      throw new LeaseLostError(
        this.stepId,
        name,
        left <= 0
          ? `its lease ran out ${-left} ms ago (its renewals did not land)`
          : `its lease runs out in ${left} ms, less than the ${this.margin} ms a call is given to land before another responder may take the step over (its renewals did not land)`,
      );
    }
  }
}

/** The LeaseLostError in an error's cause chain (actions wrap AWS errors), if any. */
export function leaseLostIn(err: unknown): LeaseLostError | undefined {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof LeaseLostError) return e;
  }
  return undefined;
}
