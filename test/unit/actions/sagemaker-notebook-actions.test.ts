/**
 * The SageMaker notebook actions against aws-sdk-client-mock: `sagemaker.lock-down-notebook-instance` entirely
 * (moto_server does not implement UpdateNotebookInstance: these are the calls its listed fixture names), and the
 * waits of both notebook actions on statuses moto never shows (it stops and starts at once).
 */
import { DescribeNotebookInstanceCommand, SageMakerClient, StopNotebookInstanceCommand, UpdateNotebookInstanceCommand, type DescribeNotebookInstanceCommandOutput } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lockDownNotebookInstance } from '../../../src/actions/sagemaker-lock-down-notebook-instance.js';
import { notebookPolling } from '../../../src/actions/sagemaker-notebook-lookup.js';
import { stopNotebookInstance } from '../../../src/actions/sagemaker-stop-notebook-instance.js';
import { StepError } from '../../../src/errors.js';
import type { Subject } from '../../../src/findings/model.js';
import { ACCOUNT, REGION, makeCtx } from './action-fixtures.js';

const sm = mockClient(SageMakerClient);
const NAME = 'nb-1';
const subject: Subject = { kind: 'sagemaker-notebook', id: NAME, accountId: ACCOUNT, region: REGION, tags: [], ai: { isAi: true, reasons: [] }, details: { notebookInstanceName: NAME } };
const ctx = () => makeCtx({ subject });

function notebook(status: string, extra: Partial<DescribeNotebookInstanceCommandOutput> = {}): Partial<DescribeNotebookInstanceCommandOutput> {
  return {
    NotebookInstanceName: NAME,
    NotebookInstanceArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/${NAME}`,
    NotebookInstanceStatus: status as DescribeNotebookInstanceCommandOutput['NotebookInstanceStatus'],
    RoleArn: `arn:aws:iam::${ACCOUNT}:role/nb-role`,
    ...extra,
  };
}

const OPEN = { RootAccess: 'Enabled', NotebookInstanceLifecycleConfigName: 'on-start-persist' } as const;
const LOCKED = { RootAccess: 'Disabled' } as const;

let interval: number;
beforeAll(() => {
  interval = notebookPolling.intervalMs;
  notebookPolling.intervalMs = 1;
});
afterAll(() => {
  notebookPolling.intervalMs = interval;
});
beforeEach(() => sm.reset());

describe('sagemaker.lock-down-notebook-instance', () => {
  const input = lockDownNotebookInstance.parseInput({ notebookInstanceName: NAME, waitSeconds: 5 }, ctx());

  it('waits for Stopping to become Stopped, then disables root access and detaches the lifecycle configuration; release restores both', async () => {
    sm.on(DescribeNotebookInstanceCommand)
      .resolvesOnce(notebook('Stopping', OPEN)) // capture
      .resolvesOnce(notebook('Stopping', OPEN)) // apply: not locked down yet
      .resolvesOnce(notebook('Stopping', OPEN)) // wait …
      .resolvesOnce(notebook('Stopped', OPEN)) // … Stopped
      .resolves(notebook('Stopped', LOCKED));
    sm.on(UpdateNotebookInstanceCommand).resolves({});
    const c = ctx();
    const pre = await lockDownNotebookInstance.capture(input, c);
    expect(pre).toEqual({ notebookInstanceName: NAME, rootAccess: 'Enabled', lifecycleConfigName: 'on-start-persist' });
    expect(await lockDownNotebookInstance.apply(input, pre, c)).toEqual({ changed: true, rootAccess: 'Disabled', lifecycleConfigName: null });
    expect(sm).toHaveReceivedCommandTimes(UpdateNotebookInstanceCommand, 1);
    expect(sm).toHaveReceivedCommandWith(UpdateNotebookInstanceCommand, { NotebookInstanceName: NAME, RootAccess: 'Disabled', DisassociateLifecycleConfig: true });
    expect(await lockDownNotebookInstance.verify!(input, c)).toMatchObject({ holds: true });

    sm.reset();
    sm.on(DescribeNotebookInstanceCommand).resolves(notebook('Stopped', LOCKED));
    sm.on(UpdateNotebookInstanceCommand).resolves({});
    expect(await lockDownNotebookInstance.release!(input, pre, undefined, c)).toMatchObject({ action: 'restored', rootAccess: 'Enabled', lifecycleConfigName: 'on-start-persist' });
    expect(sm).toHaveReceivedCommandWith(UpdateNotebookInstanceCommand, { NotebookInstanceName: NAME, RootAccess: 'Enabled', LifecycleConfigName: 'on-start-persist' });
    const sent = sm.commandCalls(UpdateNotebookInstanceCommand)[0]!.args[0].input;
    expect(sent.DisassociateLifecycleConfig).toBeUndefined();
  });

  it('refuses (StepError naming the status) when the notebook never stops within the wait, and changes nothing', async () => {
    sm.on(DescribeNotebookInstanceCommand).resolves(notebook('InService', OPEN));
    const c = ctx();
    const quick = lockDownNotebookInstance.parseInput({ notebookInstanceName: NAME, waitSeconds: 0 }, c);
    const pre = await lockDownNotebookInstance.capture(quick, c);
    const err = await lockDownNotebookInstance.apply(quick, pre, c).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepError);
    expect((err as Error).message).toMatch(/notebook instance nb-1 is InService \(waited up to 0 s\); SageMaker can change root access and the lifecycle configuration only while it is Stopped/);
    expect(sm).not.toHaveReceivedCommand(UpdateNotebookInstanceCommand);
  });

  it('an already locked-down notebook is left alone, and its release changes nothing', async () => {
    sm.on(DescribeNotebookInstanceCommand).resolves(notebook('Stopped', LOCKED));
    const c = ctx();
    const pre = await lockDownNotebookInstance.capture(input, c);
    expect(await lockDownNotebookInstance.apply(input, pre, c)).toMatchObject({ changed: false });
    expect(await lockDownNotebookInstance.release!(input, pre, undefined, c)).toMatchObject({ action: 'none' });
    expect(sm).not.toHaveReceivedCommand(UpdateNotebookInstanceCommand);
  });

  it('verify reads root access and the lifecycle configuration back', async () => {
    sm.on(DescribeNotebookInstanceCommand).resolves(notebook('Stopped', { RootAccess: 'Disabled', NotebookInstanceLifecycleConfigName: 'on-start-persist' }));
    expect(await lockDownNotebookInstance.verify!(input, ctx())).toMatchObject({ holds: false, detail: expect.stringContaining('lifecycle configuration on-start-persist') });
  });
});

describe('sagemaker.stop-notebook-instance: waits moto never shows', () => {
  it('a Pending notebook (just created) is waited for, then stopped', async () => {
    sm.on(DescribeNotebookInstanceCommand)
      .resolvesOnce(notebook('Pending'))
      .resolvesOnce(notebook('Pending'))
      .resolvesOnce(notebook('Pending'))
      .resolves(notebook('InService'));
    sm.on(StopNotebookInstanceCommand).resolves({});
    const c = ctx();
    const input = stopNotebookInstance.parseInput({ notebookInstanceName: NAME, waitSeconds: 5 }, c);
    const pre = await stopNotebookInstance.capture(input, c);
    expect(pre).toMatchObject({ status: 'Pending' });
    expect(await stopNotebookInstance.apply(input, pre, c)).toEqual({ changed: true, status: 'Stopping' });
    expect(sm).toHaveReceivedCommandWith(StopNotebookInstanceCommand, { NotebookInstanceName: NAME });
  });

  it('a Failed notebook cannot be stopped: the step fails naming the status', async () => {
    sm.on(DescribeNotebookInstanceCommand).resolves(notebook('Failed'));
    const c = ctx();
    const input = stopNotebookInstance.parseInput({ notebookInstanceName: NAME, waitSeconds: 0 }, c);
    const pre = await stopNotebookInstance.capture(input, c);
    await expect(stopNotebookInstance.apply(input, pre, c)).rejects.toThrow(/notebook instance nb-1 is Failed; it can be stopped only when InService/);
    expect(sm).not.toHaveReceivedCommand(StopNotebookInstanceCommand);
  });

  it('a bad notebook name is refused before any call', () => {
    expect(() => stopNotebookInstance.parseInput({ notebookInstanceName: 'nb_1; rm' }, ctx())).toThrow(/notebookInstanceName: a SageMaker notebook instance name/);
  });
});
