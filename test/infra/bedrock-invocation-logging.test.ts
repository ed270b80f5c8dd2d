/**
 * `tourniquet:bedrockInvocationLogging` under Pulumi mocks: off by default; on, a log group and a role only Bedrock
 * (this account, this Region) can assume, which may write only that group's streams; the responder gets them as
 * its default destination (environment → the `invocationLogging` option of the playbooks that take it) and may
 * pass that role to Bedrock — and no other role, and not to another service (the IAM evaluator decides).
 */
import { describe, expect, it } from 'vitest';
import { BEDROCK_INVOCATION_LOG_GROUP } from '../../infra/components/bedrock-invocation-logging.js';
import { LAMBDA_ENV } from '../../infra/lambda-env.js';
import { readLambdaConfig } from '../../src/lambda/lambda-config.js';
import { lambdaPlaybookOptions } from '../../src/lambda/lambda-playbook-options.js';
import { optionsOf } from '../support/playbook-options-of.js';
import { buildTourniquetStack } from '../support/tourniquet-stack.js';
import { MOCK_ACCOUNT, MOCK_REGION, json, type CapturedResource, type ResourceCapture } from './helpers/pulumi-mocks.js';
import { decide } from './helpers/iam-simulator.js';

const env = (capture: ResourceCapture): Record<string, string> =>
  (capture.one('aws:lambda/function:Function', 'respond').inputs['environment'] as { variables: Record<string, string> }).variables;

const loggingGroups = (capture: ResourceCapture): CapturedResource[] => capture.ofType('aws:cloudwatch/logGroup:LogGroup').filter((g) => g.inputs['name'] === BEDROCK_INVOCATION_LOG_GROUP);

describe('tourniquet:bedrockInvocationLogging', () => {
  it('off by default: no log group, no role, no destination in the environment', async () => {
    const { capture } = await buildTourniquetStack({});
    expect(loggingGroups(capture)).toEqual([]);
    expect(capture.ofType('aws:iam/role:Role').filter((r) => String(r.state['name']).startsWith('tourniquet-bedrock-logging'))).toEqual([]);
    expect(env(capture)[LAMBDA_ENV.bedrockLogGroup]).toBeUndefined();
    expect(env(capture)[LAMBDA_ENV.bedrockLoggingRoleArn]).toBeUndefined();
  });

  it('on: the log group, a role Bedrock assumes for this account and Region only, writing only that group', async () => {
    const { capture } = await buildTourniquetStack({ bedrockInvocationLogging: true, logRetentionDays: 30 });
    const [group] = loggingGroups(capture);
    expect(group?.inputs['retentionInDays']).toBe(30);
    const role = capture.one('aws:iam/role:Role', 'bedrock-invocation-logging');
    expect(String(role.state['name'])).toMatch(/^tourniquet-bedrock-logging-/);
    expect(json(role.inputs['assumeRolePolicy'])).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'BedrockWritesInvocationLogs',
          Effect: 'Allow',
          Principal: { Service: 'bedrock.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: { 'aws:SourceAccount': MOCK_ACCOUNT },
            ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:${MOCK_REGION}:${MOCK_ACCOUNT}:*` },
          },
        },
      ],
    });
    const write = capture.one('aws:iam/rolePolicy:RolePolicy', 'bedrock-invocation-logging');
    expect(json(write.inputs['policy'])).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'WriteInvocationLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `arn:aws:logs:${MOCK_REGION}:${MOCK_ACCOUNT}:log-group:${BEDROCK_INVOCATION_LOG_GROUP}:log-stream:*`,
        },
      ],
    });
    expect(write.inputs['role']).toBe(role.state['name']);
  });

  it('on: the responder gets the group and role as the invocationLogging option of the playbooks that take it', async () => {
    const { capture } = await buildTourniquetStack({ bedrockInvocationLogging: true });
    const role = capture.one('aws:iam/role:Role', 'bedrock-invocation-logging');
    const vars = env(capture);
    expect(vars[LAMBDA_ENV.bedrockLogGroup]).toBe(BEDROCK_INVOCATION_LOG_GROUP);
    expect(vars[LAMBDA_ENV.bedrockLoggingRoleArn]).toBe(role.state['arn']);

    const options = await lambdaPlaybookOptions(readLambdaConfig({ ...vars }), MOCK_REGION);
    const expected = { cloudWatch: { logGroupName: BEDROCK_INVOCATION_LOG_GROUP, roleArn: String(role.state['arn']) }, region: MOCK_REGION };
    expect(optionsOf(options, 'bedrock')).toEqual({ invocationLogging: expected });
    expect(optionsOf(options, 'sagemaker-notebook')).toEqual({ invocationLogging: expected });
    expect(optionsOf(options, 'ec2-instance')?.['invocationLogging']).toBeUndefined();
    // Explicit options win over the deployment's destination.
    const explicit = await lambdaPlaybookOptions(
      readLambdaConfig({ ...vars, [LAMBDA_ENV.playbookOptions]: JSON.stringify({ bedrock: { invocationLogging: { s3: { bucketName: 'mine' } } } }) }),
      MOCK_REGION,
    );
    expect(optionsOf(explicit, 'bedrock')).toEqual({ invocationLogging: { s3: { bucketName: 'mine' } } });
    const { [LAMBDA_ENV.bedrockLoggingRoleArn]: _dropped, ...half } = vars;
    await expect(lambdaPlaybookOptions(readLambdaConfig(half), MOCK_REGION)).rejects.toThrow(/needs TOURNIQUET_BEDROCK_LOG_GROUP and TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN; missing: TOURNIQUET_BEDROCK_LOGGING_ROLE_ARN/);
  });

  it('the responder may pass that role to Bedrock, and neither another role nor that role to another service', async () => {
    const { capture } = await buildTourniquetStack({ bedrockInvocationLogging: true });
    const loggingRole = String(capture.one('aws:iam/role:Role', 'bedrock-invocation-logging').state['arn']);
    const responderRole = capture.one('aws:iam/role:Role', 'tourniquet-role');
    const attached = capture.ofType('aws:iam/rolePolicyAttachment:RolePolicyAttachment').filter((a) => a.inputs['role'] === responderRole.state['name']);
    const policies = capture.ofType('aws:iam/policy:Policy');
    const documents = attached.map((a) => json(policies.find((p) => p.state['arn'] === a.inputs['policyArn'])!.inputs['policy']));
    const principal = { arn: String(responderRole.state['arn']), identityPolicies: documents };
    const pass = (resource: string, service: string) =>
      decide(principal, {
        action: 'iam:PassRole',
        resource,
        context: { 'aws:RequestedRegion': MOCK_REGION, 'aws:ResourceAccount': MOCK_ACCOUNT, 'iam:PassedToService': service },
        why: 'PassRole',
      });
    expect(await pass(loggingRole, 'bedrock.amazonaws.com')).toBe('Allowed');
    expect(await pass(`arn:aws:iam::${MOCK_ACCOUNT}:role/admin`, 'bedrock.amazonaws.com')).toBe('ImplicitlyDenied');
    expect(await pass(loggingRole, 'lambda.amazonaws.com')).toBe('ImplicitlyDenied');
  });
});
