/** The options a responder's playbook-options source gives one playbook (a map by name, or a function of the playbook). */
import { findPlaybook } from '../../src/playbooks/playbook-list.js';
import type { PlaybookOptionsSource } from '../../src/playbooks/playbook-options.js';

export function optionsOf(source: PlaybookOptionsSource, name: string): { readonly [key: string]: unknown } | undefined {
  if (typeof source !== 'function') return source[name];
  const playbook = findPlaybook(name);
  if (playbook === undefined) throw new Error(`no playbook named ${name}`);
  return source(playbook);
}
