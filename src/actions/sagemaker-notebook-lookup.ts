/**
 * Reading a SageMaker notebook instance for the notebook actions, and waiting (bounded) for it to reach a status:
 * stopping, starting and updating a notebook instance are asynchronous (Pending / Stopping / Updating take minutes
 * on AWS), and UpdateNotebookInstance is refused unless the instance is Stopped.
 */
import { describeValue } from '../errors.js';
import type { BoundActionContext } from './action.js';
import { isAwsError, sleep } from './action-support.js';
import { loadSageMaker } from './sagemaker-sdk.js';

/** SageMaker notebook instance names: 1–63 alphanumerics and hyphens. */
export const NOTEBOOK_INSTANCE_NAME = /^[a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62}$/;

export interface NotebookState {
  readonly name: string;
  readonly arn: string | null;
  readonly status: string;
  readonly roleArn: string | null;
  /** `Enabled` / `Disabled`; null when not reported (AWS's default is Enabled). */
  readonly rootAccess: string | null;
  readonly lifecycleConfigName: string | null;
}

export function checkNotebookName(ctx: BoundActionContext, name: string): string {
  if (!NOTEBOOK_INSTANCE_NAME.test(name)) throw ctx.fail(`not a SageMaker notebook instance name: ${describeValue(name)}`);
  return name;
}

/** The notebook instance, or undefined when it does not exist. */
export async function describeNotebook(ctx: BoundActionContext, name: string): Promise<NotebookState | undefined> {
  const sdk = await loadSageMaker();
  try {
    const out = await ctx.aws(sdk.SageMakerClient).send(new sdk.DescribeNotebookInstanceCommand({ NotebookInstanceName: name }));
    return {
      name,
      arn: out.NotebookInstanceArn ?? null,
      status: out.NotebookInstanceStatus ?? 'Unknown',
      roleArn: out.RoleArn ?? null,
      rootAccess: out.RootAccess ?? null,
      lifecycleConfigName: out.NotebookInstanceLifecycleConfigName ?? null,
    };
  } catch (err) {
    // SageMaker answers a missing notebook instance with a ValidationException ("RecordNotFound").
    if (isAwsError(err, 'ValidationException', 'ResourceNotFound', 'ResourceNotFoundException') && /not\s*found|does not exist/i.test(String((err as Error).message))) return undefined;
    throw err;
  }
}

export async function requireNotebook(ctx: BoundActionContext, name: string): Promise<NotebookState> {
  const state = await describeNotebook(ctx, name);
  if (state === undefined) throw ctx.fail(`notebook instance ${name} does not exist in ${ctx.clients.region}`); // the name was checked: safe to print
  return state;
}

/** How long the actions wait for a notebook to settle by default, and how often they look. */
// Below the deployed Lambda's default timeout (120 s): a notebook that has not settled by then fails the step, and
// `tourniquet resume` (or a re-delivery) runs it again, rather than the function timing out mid-wait.
export const DEFAULT_NOTEBOOK_WAIT_SECONDS = 90;
/** How often a wait looks again (tests shorten it; AWS's own waiters poll notebook instances every 30 s). */
export const notebookPolling = { intervalMs: 5000 };

/**
 * Polls until the notebook's status is one of `wanted` or is no longer one of `transient`, at most `waitSeconds`.
 * Returns the last state read (the caller decides whether it is good enough).
 */
export async function waitForNotebook(
  ctx: BoundActionContext,
  name: string,
  options: { readonly wanted: readonly string[]; readonly transient: readonly string[]; readonly waitSeconds: number },
): Promise<NotebookState> {
  const deadline = Date.now() + options.waitSeconds * 1000;
  for (;;) {
    const state = await requireNotebook(ctx, name);
    if (options.wanted.includes(state.status) || !options.transient.includes(state.status)) return state;
    if (Date.now() >= deadline) return state;
    await sleep(Math.min(notebookPolling.intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/** Statuses a notebook passes through on its own (the others — InService, Stopped, Failed, Deleting — it stays in). */
export const TRANSIENT_NOTEBOOK_STATUSES = ['Pending', 'Stopping', 'Updating'] as const;
