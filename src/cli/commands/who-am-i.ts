import { userInfo } from 'node:os';

/** The local user, for approvals and releases recorded from the CLI. */
export function whoAmI(): string {
  try {
    return process.env.USER ?? userInfo().username;
  } catch {
    return 'unknown';
  }
}
