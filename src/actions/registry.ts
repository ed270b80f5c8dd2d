/**
 * The registered actions, by name (the names plans reference): every action a playbook's steps run, so adding one to
 * a playbook registers it. Their IAM permissions, unioned, are what the infrastructure grants the responder's role.
 */
import { PLAYBOOKS } from '../playbooks/playbook-list.js';
import { getLoadedAction } from '../playbooks/loaded-playbooks.js';
import type { AnyAction, IamPermission } from './action.js';
import { canonicalJson } from './action-support.js';

// Every playbook is loaded here (playbook-list.ts), and loading one registered its actions, refusing two different
// actions under one name (loaded-playbooks.ts).
const ACTIONS: readonly AnyAction[] = [...new Set(PLAYBOOKS.flatMap((p) => p.actions))];
const NAMES: ReadonlySet<string> = new Set(ACTIONS.map((a) => a.name));

/** The action registered under `name`; NotFoundError when there is none. */
export function getAction(name: string): AnyAction {
  return getLoadedAction(name);
}

export function hasAction(name: string): boolean {
  return NAMES.has(name);
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
