/**
 * The `none` playbook: record the incident and notify people, with no steps. Every subject kind without a playbook
 * of its own gets it (and a rule may name it to only record).
 */
import { z } from 'zod';
import { NO_PLAYBOOK } from '../contracts/playbook-info.js';
import { SUBJECT_KINDS } from '../findings/subject-kinds.js';
import { definePlaybook } from './define-playbook.js';

export const recordOnlyPlaybook = definePlaybook({
  name: NO_PLAYBOOK,
  subjectKinds: SUBJECT_KINDS,
  steps: {},
  options: z.strictObject({}),
  plan: () => [],
});
