/**
 * Every playbook, loaded: for the callers that need them all at once (the policy validator checks step ids and
 * options against each, the CLI's help and docs list them, the Pulumi program grants every action's permissions).
 * The list itself is playbook-catalog.ts; the engine loads only the playbook a plan needs (loaded-playbooks.ts), so
 * the Lambda never imports this module.
 */
import type { Playbook } from './define-playbook.js';
import { loadAllPlaybooks } from './loaded-playbooks.js';

export const PLAYBOOKS: readonly Playbook[] = await loadAllPlaybooks();

/** The playbook named `name`, or undefined. */
export function findPlaybook(name: string): Playbook | undefined {
  return PLAYBOOKS.find((p) => p.name === name);
}
