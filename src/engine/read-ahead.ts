/**
 * Reads later steps will need, started when a plan's run starts (Action.readAhead): a step that waits for others
 * (the session deny, after the network's cut) finds its pre-image's read answered when it starts, instead of
 * beginning with a round trip. Only for steps this run would run (open, no journaled pre-image, the gate lets them
 * run in this mode), at the priority of evidence reads (containment calls go first), and never awaited: a read that
 * fails is not kept in the shared reads, so the step makes it again and meets its error itself.
 */
import type { AnyAction, SharedReads } from '../actions/action.js';
import type { AwsClients } from '../aws/clients.js';
import { withCallPriority } from '../aws/call-priority.js';
import type { Mode, PlanStep } from '../contracts/plan.js';
import type { Subject } from '../findings/model.js';
import type { StepRecord } from '../journal/journal.js';
import { gateStep, type StepOverride } from './step-gate.js';

export interface ReadAheadArgs {
  readonly steps: readonly PlanStep[];
  readonly records: ReadonlyMap<string, StepRecord>;
  readonly mode: Mode;
  readonly overrides: Readonly<Record<string, StepOverride>>;
  readonly subject: Subject;
  readonly reads: SharedReads;
  readonly clients: () => Promise<AwsClients>;
  readonly getAction: (name: string) => AnyAction;
}

/** Starts the read-aheads of the steps that will run; returns at once. */
export function startReadAhead(args: ReadAheadArgs): void {
  for (const step of args.steps) {
    const rec = args.records.get(step.id);
    if (rec === undefined || rec.preImage !== undefined || !(rec.status === 'planned' || rec.status === 'approved')) continue;
    const gate = gateStep(step, args.mode, args.overrides[step.id], rec.status === 'approved' || rec.approvedBy !== undefined);
    if (gate.kind !== 'run') continue;
    let action: AnyAction;
    try {
      action = args.getAction(step.action);
    } catch {
      continue; // an unknown action fails its step when it runs, with its own error
    }
    const readAhead = action.readAhead;
    if (readAhead === undefined) continue;
    void withCallPriority('low', async () => {
      const clients = await args.clients();
      await readAhead({ subject: args.subject, reads: args.reads, aws: (ClientClass) => clients.aws(ClientClass) });
    }).catch(() => undefined);
  }
}
