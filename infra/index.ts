/**
 * Pulumi entry point. Pulumi calls the default export and uses its result as the stack outputs. Keeping the
 * program behind a function lets tests import it after `pulumi.runtime.setMocks` (see test/infra/).
 */
import { createTourniquetStack } from './program.js';

export default async function tourniquet(): Promise<Record<string, unknown>> {
  return createTourniquetStack();
}
