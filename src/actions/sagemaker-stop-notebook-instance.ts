/**
 * `sagemaker.stop-notebook-instance`: stop a SageMaker notebook instance. Stopping ends every Jupyter session on it,
 * including ones opened through pre-signed URLs, and stops the credentials of its execution role being refreshed on
 * it; the ML storage volume (`/home/ec2-user/SageMaker`) is kept. Destructive: whatever runs in the notebook (and its
 * memory) is gone, and people using it lose their sessions.
 *
 * A notebook still Pending (just created, e.g. by an attacker) or Updating is waited for (bounded by `waitSeconds`)
 * and then stopped. Release starts it again only if it was InService when the step captured it.
 */
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { DEFAULT_NOTEBOOK_WAIT_SECONDS, NOTEBOOK_INSTANCE_NAME, TRANSIENT_NOTEBOOK_STATUSES, checkNotebookName, requireNotebook, waitForNotebook } from './sagemaker-notebook-lookup.js';
import { loadSageMaker } from './sagemaker-sdk.js';

const InputSchema = z.strictObject({
  notebookInstanceName: z.string().regex(NOTEBOOK_INSTANCE_NAME, { error: 'a SageMaker notebook instance name' }),
  // How long to wait for a Pending / Updating notebook before stopping it, and (release) for a Stopping one to stop.
  waitSeconds: z.number().int().min(0).max(840).optional(),
});

/** Input of `sagemaker.stop-notebook-instance`. */
export type StopNotebookInstanceInput = z.infer<typeof InputSchema>;

export type StopNotebookInstancePreImage = { notebookInstanceName: string; arn: string | null; status: string };

export type StopNotebookInstanceOutput = { changed: boolean; status: string };

const STOPPED = ['Stopping', 'Stopped'];
const waitOf = (input: StopNotebookInstanceInput): number => input.waitSeconds ?? DEFAULT_NOTEBOOK_WAIT_SECONDS;

async function send(ctx: BoundActionContext, op: 'stop' | 'start', name: string): Promise<void> {
  const sdk = await loadSageMaker();
  const client = ctx.aws(sdk.SageMakerClient);
  if (op === 'stop') await client.send(new sdk.StopNotebookInstanceCommand({ NotebookInstanceName: name }));
  else await client.send(new sdk.StartNotebookInstanceCommand({ NotebookInstanceName: name }));
}

export const stopNotebookInstance = defineAction({
  name: 'sagemaker.stop-notebook-instance',
  effect: 'destructive',
  input: InputSchema,
  description:
    'Stop the SageMaker notebook instance: ends every Jupyter session (pre-signed URL ones too) and what runs in it; ' +
    'the ML storage volume is kept. Release starts it again if it was InService.',
  permissions: [
    {
      actions: ['sagemaker:DescribeNotebookInstance', 'sagemaker:StopNotebookInstance', 'sagemaker:StartNotebookInstance'],
      resources: ['arn:${Partition}:sagemaker:${Region}:${Account}:notebook-instance/*'],
      why: 'Record the status, stop the notebook instance, start it again on release',
    },
  ],

  async capture(input, ctx): Promise<StopNotebookInstancePreImage> {
    const name = checkNotebookName(ctx, input.notebookInstanceName);
    const state = await requireNotebook(ctx, name);
    return { notebookInstanceName: name, arn: state.arn, status: state.status };
  },

  async apply(input, pre, ctx): Promise<StopNotebookInstanceOutput> {
    const name = pre.notebookInstanceName;
    let state = await requireNotebook(ctx, name);
    if (STOPPED.includes(state.status)) return { changed: false, status: state.status };
    if (state.status === 'Pending' || state.status === 'Updating') {
      state = await waitForNotebook(ctx, name, { wanted: ['InService', ...STOPPED], transient: ['Pending', 'Updating'], waitSeconds: waitOf(input) });
      if (STOPPED.includes(state.status)) return { changed: false, status: state.status };
    }
    if (state.status !== 'InService') {
      throw ctx.fail(`notebook instance ${name} is ${state.status}; it can be stopped only when InService (waited up to ${waitOf(input)} s)`);
    }
    await send(ctx, 'stop', name);
    return { changed: true, status: 'Stopping' };
  },

  async release(input, pre, _output, ctx): Promise<Json> {
    const name = pre.notebookInstanceName;
    if (pre.status !== 'InService') return { action: 'none', reason: `the notebook was ${pre.status} before the step, not InService` };
    let state = await requireNotebook(ctx, name);
    if (state.status === 'InService' || state.status === 'Pending') return { action: 'none', status: state.status };
    if (state.status === 'Stopping' || state.status === 'Updating') {
      state = await waitForNotebook(ctx, name, { wanted: ['Stopped'], transient: [...TRANSIENT_NOTEBOOK_STATUSES], waitSeconds: waitOf(input) });
    }
    if (state.status !== 'Stopped') throw ctx.fail(`notebook instance ${name} is ${state.status}; it can be started again only once Stopped (run release again)`);
    await send(ctx, 'start', name);
    return { action: 'started', notebookInstanceName: name };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const state = await requireNotebook(ctx, checkNotebookName(ctx, input.notebookInstanceName));
    return { holds: STOPPED.includes(state.status), detail: `notebook instance ${state.name}: ${state.status}` };
  },
});
