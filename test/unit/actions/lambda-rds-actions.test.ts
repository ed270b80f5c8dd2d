/**
 * The Lambda and RDS action paths moto cannot show, with AWS-shaped answers (aws-sdk-client-mock):
 * - a function URL's public statements as AWS writes them (conditions on lambda:FunctionUrlAuthType and
 *   lambda:InvokedViaFunctionUrl; moto keeps FunctionUrlAuthType outside the Condition block), removed and re-added
 *   with exactly those AddPermission fields; statements limited by a condition, granted to an account, or that
 *   AddPermission could not reproduce are left alone;
 * - the package download's byte bound, an HTTP error, and a container-image function (nothing to download);
 * - event source mappings in AWS's transitional states;
 * - the master password: a rotation in progress is left alone, and no call ever carries a password.
 */
import { AddPermissionCommand, GetFunctionCommand, GetFunctionConcurrencyCommand, GetFunctionUrlConfigCommand, GetPolicyCommand, LambdaClient, ListAliasesCommand, ListEventSourceMappingsCommand, RemovePermissionCommand, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { DescribeDBInstancesCommand, ModifyDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureFunctionEvidence } from '../../../src/actions/lambda-capture-function-evidence.js';
import { disableEventSources } from '../../../src/actions/lambda-disable-event-sources.js';
import { removePublicPermissions } from '../../../src/actions/lambda-remove-public-permissions.js';
import { rotateMasterPassword } from '../../../src/actions/rds-rotate-master-password.js';
import { StepError } from '../../../src/errors.js';
import type { Subject } from '../../../src/findings/model.js';
import { ACCOUNT, REGION, awsError, makeCtx } from './action-fixtures.js';

const lambdaMock = mockClient(LambdaClient);
const rdsMock = mockClient(RDSClient);
const FN = 'agent-tool';
const FN_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FN}`;

const lambdaSubject: Subject = {
  kind: 'lambda-function',
  id: FN_ARN,
  arn: FN_ARN,
  accountId: ACCOUNT,
  region: REGION,
  tags: [],
  ai: { isAi: false, reasons: [] },
  details: { functionName: FN, securityGroupIds: [] },
};
const rdsSubject: Subject = { kind: 'rds-instance', id: 'ledger-db', accountId: ACCOUNT, region: REGION, tags: [], ai: { isAi: false, reasons: [] }, details: { dbInstanceIdentifier: 'ledger-db' } };

beforeEach(() => {
  lambdaMock.reset();
  rdsMock.reset();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('lambda.remove-public-permissions with AWS-shaped statements', () => {
  // As AWS writes them when a public function URL is created in the console (since October 2025 both are needed).
  const urlPublic = { Sid: 'FunctionURLAllowPublicAccess', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunctionUrl', Resource: FN_ARN, Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } } };
  const urlInvoke = { Sid: 'FunctionURLInvokeAllowPublicAccess', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunction', Resource: FN_ARN, Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } } };
  const orgOnly = { Sid: 'org', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunction', Resource: FN_ARN, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234' } } };
  const account = { Sid: 'partner', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'lambda:InvokeFunction', Resource: FN_ARN };
  const several = { Sid: 'several', Effect: 'Allow', Principal: { AWS: '*' }, Action: ['lambda:InvokeFunction', 'lambda:GetFunction'], Resource: FN_ARN };
  const policy = (statements: unknown[]) => ({ Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements }), RevisionId: 'r1' });

  it('removes exactly the public statements it can put back, and release re-adds each with its conditions', async () => {
    lambdaMock.on(GetPolicyCommand).resolves(policy([urlPublic, urlInvoke, orgOnly, account, several]));
    const ctx = makeCtx({ subject: lambdaSubject });
    const input = removePublicPermissions.parseInput({}, ctx);
    const pre = await removePublicPermissions.capture(input, ctx);
    expect(pre.removable.map((r) => r.sid)).toEqual(['FunctionURLAllowPublicAccess', 'FunctionURLInvokeAllowPublicAccess']);
    expect(pre.unrestorable).toEqual([{ sid: 'several', reason: 'AddPermission grants one action; the statement has several' }]);

    const out = await removePublicPermissions.apply(input, pre, ctx);
    expect(out.removed).toEqual(['FunctionURLAllowPublicAccess', 'FunctionURLInvokeAllowPublicAccess']);
    expect(lambdaMock).toHaveReceivedCommandTimes(RemovePermissionCommand, 2);
    expect(lambdaMock).toHaveReceivedCommandWith(RemovePermissionCommand, { FunctionName: FN, StatementId: 'FunctionURLAllowPublicAccess' });

    // After apply: only the kept statements are left; verify names the one it could not remove.
    lambdaMock.on(GetPolicyCommand).resolves(policy([orgOnly, account, several]));
    const v = await removePublicPermissions.verify!(input, ctx);
    expect(v.holds).toBe(false);
    expect(v.detail).toContain('several');

    await removePublicPermissions.release!(input, pre, out, ctx);
    expect(lambdaMock).toHaveReceivedCommandWith(AddPermissionCommand, {
      FunctionName: FN,
      StatementId: 'FunctionURLAllowPublicAccess',
      Action: 'lambda:InvokeFunctionUrl',
      Principal: '*',
      FunctionUrlAuthType: 'NONE',
    });
    expect(lambdaMock).toHaveReceivedCommandWith(AddPermissionCommand, {
      FunctionName: FN,
      StatementId: 'FunctionURLInvokeAllowPublicAccess',
      Action: 'lambda:InvokeFunction',
      Principal: '*',
      InvokedViaFunctionUrl: true,
    });
    expect(lambdaMock).toHaveReceivedCommandTimes(AddPermissionCommand, 2);
  });

  it('release never overwrites a different statement someone put under a removed Sid', async () => {
    lambdaMock.on(GetPolicyCommand).resolves(policy([urlPublic]));
    const ctx = makeCtx({ subject: lambdaSubject });
    const input = removePublicPermissions.parseInput({}, ctx);
    const pre = await removePublicPermissions.capture(input, ctx);
    lambdaMock.on(GetPolicyCommand).resolves(policy([{ ...urlPublic, Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Condition: undefined }]));
    const result = await removePublicPermissions.release!(input, pre, { removed: [urlPublic.Sid], unrestorable: [] }, ctx);
    expect(result).toMatchObject({ action: 'none', conflicts: ['FunctionURLAllowPublicAccess'] });
    expect(lambdaMock).not.toHaveReceivedCommand(AddPermissionCommand);
  });

  it('a function without a policy has nothing to remove (ResourceNotFoundException is "no policy")', async () => {
    lambdaMock.on(GetPolicyCommand).rejects(awsError('ResourceNotFoundException', 404, 'The resource you requested does not exist.'));
    const ctx = makeCtx({ subject: lambdaSubject });
    const input = removePublicPermissions.parseInput({}, ctx);
    const pre = await removePublicPermissions.capture(input, ctx);
    expect(pre.removable).toEqual([]);
    expect((await removePublicPermissions.apply(input, pre, ctx)).removed).toEqual([]);
  });
});

describe('lambda.capture-function-evidence: the package download', () => {
  const zip = Buffer.from('PK\u0003\u0004 not really a zip but bytes');
  function functionWith(code: Record<string, string>, config: Record<string, string> = {}) {
    lambdaMock.on(GetFunctionCommand).resolves({ Configuration: { FunctionName: FN, CodeSha256: 'x', ...config }, Code: code });
    lambdaMock.on(ListAliasesCommand).resolves({ Aliases: [] });
    lambdaMock.on(GetFunctionConcurrencyCommand).resolves({});
    lambdaMock.on(GetFunctionUrlConfigCommand).rejects(awsError('ResourceNotFoundException', 404, 'no url'));
    lambdaMock.on(GetPolicyCommand).rejects(awsError('ResourceNotFoundException', 404, 'no policy'));
    lambdaMock.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
  }

  it('a package larger than the bound is not kept (its declared length is enough to stop), and the pre-signed URL is not recorded', async () => {
    functionWith({ RepositoryType: 'S3', Location: 'https://awslambda-eu-west-1-tasks.s3.eu-west-1.amazonaws.com/snapshots/x?X-Amz-Signature=secret' });
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(zip, { status: 200, headers: { 'content-length': String(zip.byteLength) } }));
    const ctx = makeCtx({ subject: lambdaSubject });
    const input = captureFunctionEvidence.parseInput({ maxCodeBytes: 8 }, ctx);
    const out = await captureFunctionEvidence.apply(input, null, ctx);
    expect(out.code).toEqual({ status: 'too-large', readBytes: 0, maxBytes: 8, codeSha256: 'x' });
    expect(ctx.evidence.items.has(`lambda-${FN}-code.zip`)).toBe(false);
    expect(JSON.stringify([...ctx.evidence.items.values(), out])).not.toContain('X-Amz-Signature');
  });

  it('a streamed package without a length is cut at the bound', async () => {
    functionWith({ RepositoryType: 'S3', Location: 'https://example.invalid/pkg' });
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 4; i++) c.enqueue(new Uint8Array(6));
        c.close();
      },
    });
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(stream, { status: 200 }));
    const ctx = makeCtx({ subject: lambdaSubject });
    const out = await captureFunctionEvidence.apply(captureFunctionEvidence.parseInput({ maxCodeBytes: 10 }, ctx), null, ctx);
    expect(out.code).toMatchObject({ status: 'too-large', readBytes: 12, maxBytes: 10 });
  });

  it('an HTTP error from the code location is a StepError naming the function', async () => {
    functionWith({ RepositoryType: 'S3', Location: 'https://example.invalid/pkg' });
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('expired', { status: 403, statusText: 'Forbidden' }));
    const ctx = makeCtx({ subject: lambdaSubject });
    const err = await captureFunctionEvidence.apply(captureFunctionEvidence.parseInput({}, ctx), null, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepError);
    expect((err as StepError).message).toContain(`cannot download the deployment package of ${FN}`);
    expect(((err as StepError).cause as Error).message).toContain('HTTP 403');
  });

  it('a container-image function records its image digest and downloads nothing', async () => {
    functionWith({ RepositoryType: 'ECR', ImageUri: '1.dkr.ecr.eu-west-1.amazonaws.com/tool:1', ResolvedImageUri: '1.dkr.ecr.eu-west-1.amazonaws.com/tool@sha256:abc' }, { PackageType: 'Image' });
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const ctx = makeCtx({ subject: lambdaSubject });
    const out = await captureFunctionEvidence.apply(captureFunctionEvidence.parseInput({}, ctx), null, ctx);
    expect(out.code).toEqual({ status: 'image', imageUri: '1.dkr.ecr.eu-west-1.amazonaws.com/tool:1', resolvedImageUri: '1.dkr.ecr.eu-west-1.amazonaws.com/tool@sha256:abc' });
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe('lambda.disable-event-sources in AWS’s transitional states', () => {
  it('Enabling counts as enabled, Disabling as disabled; release re-enables only what was enabled', async () => {
    const mappings = (states: Record<string, string>) => ({ EventSourceMappings: Object.entries(states).map(([UUID, State]) => ({ UUID, State, EventSourceArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${UUID}` })) });
    lambdaMock.on(ListEventSourceMappingsCommand).resolves(mappings({ a: 'Enabling', b: 'Disabling', c: 'Enabled' }));
    lambdaMock.on(UpdateEventSourceMappingCommand).resolves({});
    const ctx = makeCtx({ subject: lambdaSubject });
    const input = disableEventSources.parseInput({}, ctx);
    const pre = await disableEventSources.capture(input, ctx);
    expect((await disableEventSources.apply(input, pre, ctx)).disabled).toEqual(['a', 'c']);
    lambdaMock.on(ListEventSourceMappingsCommand).resolves(mappings({ a: 'Disabled', b: 'Disabled', c: 'Disabling' }));
    expect((await disableEventSources.verify!(input, ctx)).holds).toBe(true);
    lambdaMock.resetHistory();
    await disableEventSources.release!(input, pre, undefined, ctx);
    expect(lambdaMock.commandCalls(UpdateEventSourceMappingCommand).map((c) => c.args[0].input)).toEqual([
      { UUID: 'a', Enabled: true },
      { UUID: 'c', Enabled: true },
    ]);
  });
});

describe('rds.rotate-master-password', () => {
  it('leaves a rotation in progress alone, and never sends a password', async () => {
    const secret = { SecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!db-1-AbCdEf`, SecretStatus: 'active' };
    rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: 'ledger-db', MasterUserSecret: secret }] });
    rdsMock.on(ModifyDBInstanceCommand).resolves({});
    const ctx = makeCtx({ subject: rdsSubject });
    const input = rotateMasterPassword.parseInput({}, ctx);
    const pre = await rotateMasterPassword.capture(input, ctx);
    expect(await rotateMasterPassword.apply(input, pre, ctx)).toEqual({ method: 'rotate-managed', target: 'instance ledger-db' });
    rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: 'ledger-db', MasterUserSecret: { ...secret, SecretStatus: 'rotating' } }] });
    expect(await rotateMasterPassword.apply(input, pre, ctx)).toMatchObject({ method: 'none', reason: 'a rotation is in progress' });
    expect(rdsMock).toHaveReceivedCommandTimes(ModifyDBInstanceCommand, 1);
    for (const call of rdsMock.commandCalls(ModifyDBInstanceCommand)) expect(Object.keys(call.args[0].input)).not.toContain('MasterUserPassword');
    expect(rotateMasterPassword.reversible).toBe(false);
    expect(rotateMasterPassword.effect).toBe('destructive');
  });
});
