/**
 * Values from a finding go into the commands of manual steps, which a human will paste into a shell. The finding is
 * attacker-shaped, so a value is used only when it has the form AWS gives it (an IAM name, a session name, an access
 * key id, an account id, a timestamp); anything else becomes a `<placeholder>` the human fills in. Quotes, spaces,
 * `;`, `$` and backticks therefore never reach a command.
 */
import { ROLE_NAME } from '../actions/iam-role-lookup.js';
import { ROLE_SESSION_NAME } from '../actions/role-session-deny.js';

export const ARG_FORMS = {
  roleName: ROLE_NAME,
  sessionName: ROLE_SESSION_NAME,
  /** IAM user names and GetFederationToken names: the same characters as role names. */
  userName: /^[\w+=,.@-]{1,64}$/,
  roleId: /^AROA[A-Z0-9]{12,124}$/,
  accessKeyId: /^(AKIA|ASIA)[A-Z0-9]{12,124}$/,
  accountId: /^\d{12}$/,
  partition: /^aws(-[a-z]+)*$/,
  region: /^[a-z]{2}(-[a-z]+)+-\d+$/,
  timestamp: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/,
} as const;

/** `value` when it has the form, else `<placeholder>`. */
export function arg(form: keyof typeof ARG_FORMS, value: string | undefined, placeholder: string): string {
  return value !== undefined && ARG_FORMS[form].test(value) ? value : `<${placeholder}>`;
}

/** Whether `value` has the form (a playbook may plan AWS steps only on such values). */
export function hasForm(form: keyof typeof ARG_FORMS, value: string | undefined): value is string {
  return value !== undefined && ARG_FORMS[form].test(value);
}
