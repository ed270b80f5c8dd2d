/**
 * `sagemaker.lock-down-notebook-instance`: while the notebook instance is stopped, disable root access and detach its
 * lifecycle configuration (`UpdateNotebookInstance` with `RootAccess: Disabled`, `DisassociateLifecycleConfig`), so
 * that starting it again — for an investigation, or by someone who can start it — runs neither the on-start script
 * (a usual place for persistence) nor anything as root. The lifecycle configuration itself is kept, for evidence.
 *
 * SageMaker refuses the update unless the notebook is Stopped: the playbook runs this step only after the stop
 * step succeeded, and the step waits (bounded by `waitSeconds`) for Stopping to become Stopped. Release puts the
 * recorded root access and lifecycle configuration back, again only while the notebook is Stopped (the stop step's
 * release, which starts it, runs after this one's).
 */
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { DEFAULT_NOTEBOOK_WAIT_SECONDS, NOTEBOOK_INSTANCE_NAME, TRANSIENT_NOTEBOOK_STATUSES, checkNotebookName, requireNotebook, waitForNotebook, type NotebookState } from './sagemaker-notebook-lookup.js';
import { loadSageMaker } from './sagemaker-sdk.js';

const InputSchema = z.strictObject({
  notebookInstanceName: z.string().regex(NOTEBOOK_INSTANCE_NAME, { error: 'a SageMaker notebook instance name' }),
  // How long to wait for the notebook to be Stopped (it is Stopping right after the stop step).
  waitSeconds: z.number().int().min(0).max(840).optional(),
});

/** Input of `sagemaker.lock-down-notebook-instance`. */
export type LockDownNotebookInput = z.infer<typeof InputSchema>;

export type LockDownNotebookPreImage = {
  notebookInstanceName: string;
  /** As DescribeNotebookInstance reported it; null = not reported (AWS's default, Enabled). */
  rootAccess: string | null;
  lifecycleConfigName: string | null;
};

export type LockDownNotebookOutput = { changed: boolean; rootAccess: 'Disabled'; lifecycleConfigName: null };

const isLockedDown = (s: Pick<NotebookState, 'rootAccess' | 'lifecycleConfigName'>): boolean => s.rootAccess === 'Disabled' && s.lifecycleConfigName === null;

async function stoppedNotebook(ctx: BoundActionContext, name: string, waitSeconds: number, purpose: string): Promise<NotebookState> {
  const state = await waitForNotebook(ctx, name, { wanted: ['Stopped'], transient: [...TRANSIENT_NOTEBOOK_STATUSES], waitSeconds });
  if (state.status !== 'Stopped') {
    throw ctx.fail(`notebook instance ${name} is ${state.status} (waited up to ${waitSeconds} s); SageMaker can ${purpose} only while it is Stopped`);
  }
  return state;
}

async function update(ctx: BoundActionContext, input: Parameters<typeof buildUpdate>[0]): Promise<void> {
  const sdk = await loadSageMaker();
  await ctx.aws(sdk.SageMakerClient).send(new sdk.UpdateNotebookInstanceCommand(buildUpdate(input)));
}

function buildUpdate(u: { name: string; rootAccess: 'Enabled' | 'Disabled'; lifecycleConfigName: string | null; detach: boolean }) {
  return {
    NotebookInstanceName: u.name,
    RootAccess: u.rootAccess,
    ...(u.detach ? { DisassociateLifecycleConfig: true } : {}),
    ...(u.lifecycleConfigName !== null ? { LifecycleConfigName: u.lifecycleConfigName } : {}),
  };
}

export const lockDownNotebookInstance = defineAction({
  name: 'sagemaker.lock-down-notebook-instance',
  effect: 'contain',
  input: InputSchema,
  description:
    'While the notebook instance is stopped: disable root access and detach its lifecycle configuration (kept for ' +
    'evidence), so a restart runs no on-start script and nothing as root. Release restores both.',
  permissions: [
    {
      actions: ['sagemaker:DescribeNotebookInstance', 'sagemaker:UpdateNotebookInstance'],
      resources: ['arn:${Partition}:sagemaker:${Region}:${Account}:notebook-instance/*'],
      why: 'Record root access and the lifecycle configuration, lock the notebook down, restore both on release',
    },
  ],

  async capture(input, ctx): Promise<LockDownNotebookPreImage> {
    const name = checkNotebookName(ctx, input.notebookInstanceName);
    const state = await requireNotebook(ctx, name);
    return { notebookInstanceName: name, rootAccess: state.rootAccess, lifecycleConfigName: state.lifecycleConfigName };
  },

  async apply(input, pre, ctx): Promise<LockDownNotebookOutput> {
    const name = pre.notebookInstanceName;
    const done: LockDownNotebookOutput = { changed: false, rootAccess: 'Disabled', lifecycleConfigName: null };
    const now = await requireNotebook(ctx, name);
    if (isLockedDown(now)) return done;
    const stopped = await stoppedNotebook(ctx, name, input.waitSeconds ?? DEFAULT_NOTEBOOK_WAIT_SECONDS, 'change root access and the lifecycle configuration');
    if (isLockedDown(stopped)) return done;
    await update(ctx, { name, rootAccess: 'Disabled', lifecycleConfigName: null, detach: stopped.lifecycleConfigName !== null });
    return { ...done, changed: true };
  },

  async release(input, pre, _output, ctx): Promise<Json> {
    const name = pre.notebookInstanceName;
    const rootAccess = pre.rootAccess === 'Disabled' ? 'Disabled' : 'Enabled';
    const now = await requireNotebook(ctx, name);
    if ((now.rootAccess ?? 'Enabled') === rootAccess && now.lifecycleConfigName === pre.lifecycleConfigName) {
      return { action: 'none', reason: 'root access and the lifecycle configuration are as recorded' };
    }
    await stoppedNotebook(ctx, name, input.waitSeconds ?? DEFAULT_NOTEBOOK_WAIT_SECONDS, 'restore root access and the lifecycle configuration');
    await update(ctx, { name, rootAccess, lifecycleConfigName: pre.lifecycleConfigName, detach: pre.lifecycleConfigName === null && now.lifecycleConfigName !== null });
    return { action: 'restored', notebookInstanceName: name, rootAccess, lifecycleConfigName: pre.lifecycleConfigName };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const state = await requireNotebook(ctx, checkNotebookName(ctx, input.notebookInstanceName));
    return {
      holds: isLockedDown(state),
      detail: `notebook instance ${state.name}: root access ${state.rootAccess ?? 'unreported'}, lifecycle configuration ${state.lifecycleConfigName ?? 'none'}, ${state.status}`,
    };
  },
});
