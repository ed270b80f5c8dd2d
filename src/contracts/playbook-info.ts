/**
 * What the rest of Tourniquet knows of a playbook without running it: its name, the subject kinds it handles, its
 * step ids and its options schema. The policy validates rules against it (step overrides, `options:`), the edges
 * (CLI flags, Lambda environment, Pulumi config) validate playbook options with it.
 */
import type { z } from 'zod';
import type { SubjectKind } from '../findings/model.js';

/** The playbook that records the incident and notifies, with no steps: every kind without a playbook of its own. */
export const NO_PLAYBOOK = 'none';

/** What choosing a playbook needs: its name and the subject kinds it handles (known without loading it). */
export interface PlaybookKinds {
  /** `ec2-instance`: what policy rules and decisions name. */
  readonly name: string;
  /** The subject kinds it handles; it is the default playbook of each (the first in the list wins). */
  readonly subjectKinds: readonly SubjectKind[];
}

export interface PlaybookInfo extends PlaybookKinds {
  /** Its step ids in plan order: what a rule's `steps:` may override. */
  readonly stepIds: readonly string[];
  /** Its options (a strict object: an unknown key is an error), from a rule's `options:` and the responder's settings. */
  readonly options: z.ZodType;
}

/** The playbook a subject kind gets when no rule names one: the first that handles it, else `none`. */
export function defaultPlaybookIn(playbooks: readonly PlaybookKinds[], kind: SubjectKind): string {
  return playbooks.find((p) => p.name !== NO_PLAYBOOK && p.subjectKinds.includes(kind))?.name ?? NO_PLAYBOOK;
}
