/**
 * The playbooks loaded so far in this process, and their actions by name. The engine loads a plan's playbook before
 * it plans, runs, approves or releases (`loadPlaybook`), then looks the plan's actions up synchronously here
 * (`getLoadedAction`). In the Lambda only the playbooks of the findings it has seen are ever loaded; the CLI, the
 * Pulumi program and the policy validator load every one (playbook-list.ts).
 */
import { NotFoundError, PlanError, TourniquetError } from '../errors.js';
import type { AnyAction } from '../actions/action.js';
import { NO_PLAYBOOK } from '../contracts/playbook-info.js';
import { PLAYBOOK_CATALOG, catalogEntry } from './playbook-catalog.js';
import type { Playbook } from './define-playbook.js';

const loaded = new Map<string, Playbook>();
const loading = new Map<string, Promise<Playbook>>();
const actions = new Map<string, AnyAction>();

function register(entryName: string, playbook: Playbook): Playbook {
  if (playbook.name !== entryName) {
    throw new PlanError(entryName, `playbook-catalog.ts lists it, but the file it loads defines ${JSON.stringify(playbook.name)}`);
  }
  // Plans name actions: two different actions under one name would make a plan ambiguous.
  for (const action of playbook.actions) {
    const known = actions.get(action.name);
    if (known !== undefined && known !== action) throw new TourniquetError('action.duplicate', `two actions are registered under the name ${action.name}`);
  }
  for (const action of playbook.actions) actions.set(action.name, action);
  loaded.set(playbook.name, playbook);
  return playbook;
}

/**
 * Loads the playbook `name` (once) and registers its actions. Undefined for a name the catalogue does not list (a
 * decision never names one: the policy is validated against the catalogue).
 */
export async function loadPlaybook(name: string): Promise<Playbook | undefined> {
  const done = loaded.get(name);
  if (done !== undefined) return done;
  const entry = catalogEntry(name);
  if (entry === undefined) return undefined;
  let pending = loading.get(name);
  if (pending === undefined) {
    pending = entry.load().then((p) => register(name, p));
    loading.set(name, pending);
    // A failed import (a broken bundle chunk) is tried again by the next caller; this one sees the error.
    pending.catch(() => loading.delete(name));
  }
  return pending;
}

/** Every playbook in the catalogue, loaded, in catalogue order. */
export async function loadAllPlaybooks(): Promise<Playbook[]> {
  const all = await Promise.all(PLAYBOOK_CATALOG.map((e) => loadPlaybook(e.name)));
  return all.filter((p): p is Playbook => p !== undefined);
}

/** The playbook `name` if it has been loaded. */
export function loadedPlaybook(name: string): Playbook | undefined {
  return loaded.get(name);
}

/**
 * The loaded playbook a plan is built with. A catalogued playbook that was not loaded first is a defect of the
 * caller (PlanError says so); an unknown name is undefined.
 */
export function playbookForPlan(name: string): Playbook | undefined {
  const p = loaded.get(name);
  if (p === undefined && name !== NO_PLAYBOOK && catalogEntry(name) !== undefined) {
    throw new PlanError(name, 'is not loaded: await loadPlaybook() before building its plan');
  }
  return p;
}

/** The action `name` of a loaded playbook; NotFoundError when none of the loaded playbooks has it. */
export function getLoadedAction(name: string): AnyAction {
  const action = actions.get(name);
  if (action === undefined) throw new NotFoundError('action', name, `no loaded playbook runs it; loaded: ${[...loaded.keys()].join(', ') || 'none'}`);
  return action;
}
