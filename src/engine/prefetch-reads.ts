/**
 * Reads a plan will need that depend only on the subject, started at once with the live-tags read, before the
 * incident is opened: the isolation groups of the Region, the instance's Auto Scaling membership. Their answers go
 * into the run's shared reads, so the steps find them there: the chain to isolation is a round trip shorter, and
 * the journal's work of opening the incident (a few writes) hides their latency.
 * Only for a subject the policy would act on (not observe, not protected) that has no incident yet, and reads only:
 * nothing changes. A read
 * that fails is not kept (shared reads keep answers only): the step makes it again and meets its error itself.
 */
import type { PrefetchContext } from '../actions/action.js';
import type { AwsClients } from '../aws/clients.js';
import type { Mode } from '../contracts/plan.js';
import type { Finding, Subject } from '../findings/model.js';
import type { Policy } from '../policy/policy.js';
import { incidentKeyOf } from '../playbooks/incident-key.js';
import { loadPlaybook, NO_PLAYBOOK } from '../playbooks/registry.js';
import type { SharedReads } from '../actions/action.js';
import { decide, selectForSubject } from './decide.js';

export interface PrefetchArgs {
  readonly policy: Policy;
  readonly finding: Finding;
  readonly subject: Subject;
  readonly mode: Mode | undefined;
  readonly modeCeiling: Mode | undefined;
  readonly responderPrincipalArns: readonly string[];
  readonly clients: () => Promise<AwsClients>;
  readonly reads: SharedReads;
  /** Whether the subject already has an incident (then its plan has run, or is running: nothing to prefetch). */
  readonly hasIncident: (incidentKey: string) => Promise<boolean>;
}

/**
 * Starts the prefetches of the subject's playbook; resolves when they have all settled. Never rejects: whatever fails
 * here (a read, loading the playbook, the clients) fails again where the responder needs it, and is recorded there.
 */
export async function prefetchReads(args: PrefetchArgs): Promise<void> {
  try {
    await prefetch(args);
  } catch {
    // See above: not lost, met again by the step, the plan's load or the live-tags read.
  }
}

async function prefetch(args: PrefetchArgs): Promise<void> {
  const selection = selectForSubject(args.policy, args.finding, args.subject, args.mode, args.modeCeiling);
  if (selection.playbook === NO_PLAYBOOK) return;
  // The decision as far as it is known before the live tags (they may only lower it): no reads for what will not act.
  const uncounted = decide(args.policy, args.finding, args.subject, selection, args.responderPrincipalArns, {});
  if (uncounted.effectiveMode === 'observe') return;
  // Only for a subject's first finding: a re-delivery, a newer occurrence or an escalation finds its reads done (or
  // makes few), and a burst of repeats must not cost a dozen reads each. One journal read, during the live-tags read.
  if (await args.hasIncident(incidentKeyOf(args.subject))) return;
  const playbook = await loadPlaybook(uncounted.playbook);
  const prefetching = playbook?.actions.flatMap((a) => (a.prefetch !== undefined ? [a.prefetch] : [])) ?? [];
  if (prefetching.length === 0) return;
  const clients = await args.clients();
  const ctx: PrefetchContext = { subject: args.subject, reads: args.reads, aws: (ClientClass) => clients.aws(ClientClass) };
  await Promise.allSettled(prefetching.map((p) => p(ctx)));
}
