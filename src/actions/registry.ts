/**
 * The registered actions, by name (the names playbooks reference), and the union of their IAM permissions, from
 * which the infrastructure generates the responder's least-privilege role.
 */
import { NotFoundError } from '../errors.js';
import type { AnyAction, IamPermission } from './action.js';
import { canonicalJson } from './action-support.js';
import { leaveGroup } from './autoscaling-leave-group.js';
import { captureInstanceEvidence } from './ec2-capture-instance-evidence.js';
import { enforceImdsv2 } from './ec2-enforce-imdsv2.js';
import { isolateNetworkInterfaces } from './ec2-isolate-network-interfaces.js';
import { naclCut } from './ec2-nacl-cut.js';
import { preserveInstance } from './ec2-preserve-instance.js';
import { replaceInstanceProfile } from './ec2-replace-instance-profile.js';
import { snapshotVolumes } from './ec2-snapshot-volumes.js';
import { stopInstance } from './ec2-stop-instance.js';
import { tagInstance } from './ec2-tag-instance.js';
import { deregisterTargets } from './elbv2-deregister-targets.js';
import { blockRemoteIp } from './guardduty-block-remote-ip.js';
import { denyInstanceSession } from './iam-deny-instance-session.js';
import { revokeRoleSessions } from './iam-revoke-role-sessions.js';

const ACTIONS: readonly AnyAction[] = [
  captureInstanceEvidence,
  snapshotVolumes,
  tagInstance,
  preserveInstance,
  leaveGroup,
  deregisterTargets,
  isolateNetworkInterfaces,
  replaceInstanceProfile,
  denyInstanceSession,
  revokeRoleSessions,
  enforceImdsv2,
  naclCut,
  stopInstance,
  blockRemoteIp,
];

const BY_NAME: ReadonlyMap<string, AnyAction> = new Map(ACTIONS.map((a) => [a.name, a]));

/** The action registered under `name`; NotFoundError when there is none. */
export function getAction(name: string): AnyAction {
  const action = BY_NAME.get(name);
  if (action === undefined) throw new NotFoundError('action', name);
  return action;
}

export function hasAction(name: string): boolean {
  return BY_NAME.has(name);
}

export function allActions(): readonly AnyAction[] {
  return ACTIONS;
}

/**
 * The union of every action's permissions. Statements with the same resources and conditions are merged (their
 * actions unioned, their reasons joined); the result is sorted, so the generated policy is stable.
 */
export function actionPermissions(actions: readonly AnyAction[] = ACTIONS): IamPermission[] {
  const merged = new Map<string, { actions: Set<string>; resources: string[]; conditions: IamPermission['conditions']; why: string[] }>();
  for (const action of actions) {
    for (const p of action.permissions) {
      const resources = [...new Set(p.resources)].sort();
      const key = canonicalJson({ resources, conditions: p.conditions ?? null });
      let entry = merged.get(key);
      if (entry === undefined) {
        entry = { actions: new Set(), resources, conditions: p.conditions, why: [] };
        merged.set(key, entry);
      }
      for (const a of p.actions) entry.actions.add(a);
      const why = `${action.name}: ${p.why}`;
      if (!entry.why.includes(why)) entry.why.push(why);
    }
  }
  return [...merged.values()]
    .map((e) => ({
      actions: [...e.actions].sort(),
      resources: e.resources,
      ...(e.conditions !== undefined ? { conditions: e.conditions } : {}),
      why: e.why.join('; '),
    }))
    .sort((a, b) => canonicalJson([a.actions, a.resources, a.conditions ?? null]).localeCompare(canonicalJson([b.actions, b.resources, b.conditions ?? null])));
}
