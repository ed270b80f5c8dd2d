/** Stack variants under mocks: adopted detector, KMS queues, drills, export prefix, policy file, member mode, bad lists. */
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { describe, expect, it } from 'vitest';
import type { RawTourniquetConfig } from '../../infra/config.js';
import type { CapturedResource, ResourceCapture } from './helpers/pulumi-mocks.js';
import { MOCK_ACCOUNT, installMocks, json } from './helpers/pulumi-mocks.js';
import { buildTourniquetStack } from '../support/tourniquet-stack.js';
import { isCompiledPolicy, readCompiledPolicy } from '../../src/policy/compiled-policy.js';
import { parsePolicy } from '../../src/policy/load-policy.js';

const bundleDir = mkdtempSync(join(tmpdir(), 'tourniquet-bundle-'));
const EXISTING = 'abcdef0123456789abcdef0123456789';

const build = (raw: RawTourniquetConfig, extra: { infraDir?: string; slack?: string } = {}) =>
  buildTourniquetStack(raw, {
    ...(extra.infraDir !== undefined ? { infraDir: extra.infraDir } : {}),
    ...(extra.slack !== undefined ? { slackWebhookUrl: pulumi.secret(extra.slack) } : {}),
  });

const types = (capture: ResourceCapture): Set<string> => new Set(capture.custom().map((r) => r.type));
const statements = (r: CapturedResource): Array<Record<string, unknown>> => json<{ Statement: Array<Record<string, unknown>> }>(r.inputs['policy']).Statement;

describe('adopted detector, KMS queues, drills, prefixes, policy file', () => {
  it('builds the variant', async () => {
    const { capture, outputs } = await build(
      {
        existingDetectorId: EXISTING,
        queueEncryption: 'KMS',
        drillEvents: true,
        severityThreshold: 7,
        findingTypePrefixes: ['CryptoCurrency:', 'AttackSequence:'],
        findingsExportPrefix: 'guardduty',
        notificationEmails: ['soc@example.com', 'oncall@example.com'],
        manageTrustedIpList: false,
        memberAccountIds: ['111122223333', '444455556666'],
        organizationId: 'o-abcdefghij',
        protectData: false,
        policyFile: '../examples/tourniquet.observe.yaml',
        targetRegions: ['us-east-1', 'eu-west-1'],
        maxLineBytes: '32MiB',
        maxDecompressedBytes: 2147483648,
      },
      { slack: 'https://hooks.slack.com/services/T/B/X' },
    );

    // Reference mode: nothing about the detector is managed; its id and ARN flow everywhere.
    expect(types(capture).has('aws:guardduty/detector:Detector')).toBe(false);
    expect(types(capture).has('aws:guardduty/detectorFeature:DetectorFeature')).toBe(false);
    expect(outputs['detectorId']).toBe(EXISTING);
    expect(outputs['detectorArn']).toBe(`arn:aws:guardduty:us-east-1:${MOCK_ACCOUNT}:detector/${EXISTING}`);
    expect(capture.one('aws:guardduty/publishingDestination:PublishingDestination').inputs['detectorId']).toBe(EXISTING);

    // Export prefix: the destination folder, the bucket policy, the notification filter and the lifecycle follow it.
    const bucketArn = String(outputs['findingsBucketArn']);
    expect(capture.one('aws:guardduty/publishingDestination:PublishingDestination').inputs['destinationArn']).toBe(`${bucketArn}/guardduty/`);
    const put = statements(capture.one('aws:s3/bucketPolicy:BucketPolicy', 'findings')).find((st) => st['Sid'] === 'AllowGuardDutyPutObject');
    expect(put?.['Resource']).toBe(`${bucketArn}/guardduty/*`);
    const notification = capture.one('aws:s3/bucketNotification:BucketNotification').inputs['queues'] as Array<Record<string, unknown>>;
    expect(notification[0]?.['filterPrefix']).toBe('guardduty/AWSLogs/');
    expect(outputs['findingsExportPrefix']).toBe('guardduty/AWSLogs/');

    // Drills and type prefixes in the rule.
    expect(json(capture.one('aws:cloudwatch/eventRule:EventRule').inputs['eventPattern'])).toEqual({
      source: ['aws.guardduty', 'tourniquet.drill'],
      'detail-type': ['GuardDuty Finding'],
      detail: {
        // The observe-only example policy routes nothing below the threshold: only the AI-related types do.
        $or: [{ severity: [{ numeric: ['>=', 7] }] }, { type: expect.arrayContaining(['Impact:IAMUser/AnomalousModelInvocation']) }],
        type: [{ prefix: 'CryptoCurrency:' }, { prefix: 'AttackSequence:' }],
      },
    });

    // KMS queues: a queue key whose policy admits exactly this rule and this bucket; all three queues use it.
    const queueKey = capture.one('aws:kms/key:Key', 'queue-key');
    for (const q of capture.ofType('aws:sqs/queue:Queue')) expect(q.inputs['kmsMasterKeyId']).toBe(queueKey.state['arn']);
    const keyDoc = statements(queueKey);
    expect(keyDoc.find((st) => st['Sid'] === 'AllowEventBridgeRule')?.['Condition']).toEqual({ ArnEquals: { 'aws:SourceArn': outputs['findingsRuleArn'] } });
    expect(keyDoc.find((st) => st['Sid'] === 'AllowFindingsBucketNotifications')?.['Condition']).toEqual({
      ArnEquals: { 'aws:SourceArn': bucketArn },
      StringEquals: { 'aws:SourceAccount': MOCK_ACCOUNT },
    });
    const platform = statements(capture.one('aws:iam/policy:Policy', 'platform'));
    expect(platform.find((st) => st['Sid'] === 'DecryptQueue')?.['Resource']).toEqual([queueKey.state['arn']]);

    // Notifications: two e-mail subscriptions, the Slack URL stored from the secret config.
    const subs = capture.ofType('aws:sns/topicSubscription:TopicSubscription').map((r) => r.inputs);
    expect(subs.map((x) => [x['protocol'], x['endpoint']])).toEqual([
      ['email', 'soc@example.com'],
      ['email', 'oncall@example.com'],
    ]);
    const slackValue = capture.ofType('aws:secretsmanager/secretVersion:SecretVersion').find((v) => v.name.includes('slack'));
    expect(slackValue?.inputs['secretId']).toBe(outputs['slackWebhookSecretArn']);
    expect(JSON.stringify(slackValue?.inputs['secretString'])).toContain('hooks.slack.com');

    // Lists: no trusted IP set when disabled.
    expect(types(capture).has('aws:guardduty/iPSet:IPSet')).toBe(false);
    expect(outputs['trustedIpSetId']).toBeUndefined();

    // protectData off: throwaway stack.
    expect(capture.one('aws:dynamodb/table:Table').inputs['deletionProtectionEnabled']).toBe(false);
    for (const b of capture.ofType('aws:s3/bucket:Bucket')) expect(b.inputs['forceDestroy']).toBe(true);

    // Policy file: validated, uploaded compiled (JSON, read without the YAML parser) under a content-hash key, passed
    // to the functions, readable by the role.
    const policyObject = capture.one('aws:s3/bucketObjectv2:BucketObjectv2', 'policy-file');
    expect(policyObject.inputs['key']).toMatch(/^config\/tourniquet-policy-[0-9a-f]{16}\.json$/);
    expect(policyObject.inputs['contentType']).toBe('application/json');
    expect([policyObject.inputs['serverSideEncryption'], policyObject.inputs['kmsKeyId']]).toEqual(['aws:kms', outputs['findingsKmsKeyArn']]);
    const uploaded = String(policyObject.inputs['content']);
    expect(isCompiledPolicy(uploaded)).toBe(true);
    const example = parsePolicy(readFileSync(new URL('../../examples/tourniquet.observe.yaml', import.meta.url), 'utf8'), '../examples/tourniquet.observe.yaml');
    expect(readCompiledPolicy(uploaded, example.source)).toEqual(example);
    expect(policyObject.inputs['key']).toBe(`config/tourniquet-policy-${createHash('sha256').update(uploaded).digest('hex').slice(0, 16)}.json`);
    const uri = `s3://${String(outputs['findingsBucketName'])}/${String(policyObject.inputs['key'])}`;
    expect(outputs['responderPolicyUri']).toBe(uri);
    const env = (capture.one('aws:lambda/function:Function', 'respond').inputs['environment'] as { variables: Record<string, string> }).variables;
    expect(env['TOURNIQUET_POLICY']).toBe(uri);
    // Input limits reach the function in bytes.
    expect([env['TOURNIQUET_MAX_LINE_BYTES'], env['TOURNIQUET_MAX_DECOMPRESSED_BYTES']]).toEqual(['33554432', '2147483648']);
    // The rule's threshold and prefixes reach the function: it admits export findings with the same intake.
    expect([env['TOURNIQUET_SEVERITY_THRESHOLD'], env['TOURNIQUET_FINDING_TYPE_PREFIXES']]).toEqual(['7', 'CryptoCurrency:,AttackSequence:']);
    expect(platform.find((st) => st['Sid'] === 'ReadPolicyFile')?.['Resource']).toEqual([`${bucketArn}/${String(policyObject.inputs['key'])}`]);

    // Member roles: only the listed accounts, only inside the organisation.
    expect(platform.find((st) => st['Sid'] === 'AssumeMemberRoles')).toMatchObject({
      Resource: ['arn:aws:iam::*:role/TourniquetResponder'],
      Condition: { StringEquals: { 'aws:ResourceAccount': ['111122223333', '444455556666'], 'aws:ResourceOrgID': 'o-abcdefghij' } },
    });

    // Regions: ARNs carry "*" for the Region; one Deny keeps the regional services in both target Regions.
    const actions = capture.ofType('aws:iam/policy:Policy').filter((p) => p.name.includes('actions'));
    const text = actions.map((p) => String(p.inputs['policy'])).join();
    expect(text).toContain(':ec2:*:');
    expect(text).not.toContain(':ec2:us-east-1:');
    const regionDeny = actions.flatMap((p) => statements(p)).find((st) => st['Sid'] === 'DenyOutsideTargetRegions');
    expect(regionDeny).toMatchObject({ Effect: 'Deny', Resource: ['*'], Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } } });
    expect(regionDeny?.['Action']).toEqual(expect.arrayContaining(['ec2:*', 'autoscaling:*', 'elasticloadbalancing:*', 'guardduty:*']));
  });
});

describe('adopted detector managed by the stack', () => {
  it('imports it (retained on destroy) and applies frequency and features, with runtime agent management', async () => {
    const { capture, outputs } = await build({
      existingDetectorId: EXISTING,
      existingDetectorMode: 'manage',
      findingPublishingFrequency: 'ONE_HOUR',
      features: { RUNTIME_MONITORING: true, RDS_LOGIN_EVENTS: false },
      runtimeMonitoring: { ec2AgentManagement: false },
    });
    const detector = capture.one('aws:guardduty/detector:Detector');
    expect(detector.id).toBe(EXISTING);
    // Adopted with `import`, and `pulumi destroy` leaves the customer's detector in place.
    expect(detector.options).toMatchObject({ importId: EXISTING, retainOnDelete: true });
    expect(detector.inputs['findingPublishingFrequency']).toBe('ONE_HOUR');
    expect(outputs['detectorId']).toBe(EXISTING);
    const features = new Map(capture.ofType('aws:guardduty/detectorFeature:DetectorFeature').map((f) => [f.inputs['name'], f.inputs]));
    expect(features.get('RDS_LOGIN_EVENTS')?.['status']).toBe('DISABLED');
    expect(features.get('RUNTIME_MONITORING')).toMatchObject({
      status: 'ENABLED',
      additionalConfigurations: [
        { name: 'EKS_ADDON_MANAGEMENT', status: 'ENABLED' },
        { name: 'ECS_FARGATE_AGENT_MANAGEMENT', status: 'ENABLED' },
        { name: 'EC2_AGENT_MANAGEMENT', status: 'DISABLED' },
      ],
    });
  });
});

describe('member account mode', () => {
  it('creates only the role the central responder assumes, trusting that role alone, with the generated permissions', async () => {
    const central = 'arn:aws:iam::999988887777:role/tourniquet-responder-abc';
    const { capture, outputs } = await build({
      memberAccountMode: true,
      responderRoleArn: central,
      memberExternalId: 'tq-external-id',
      protectedPrincipalArns: ['arn:aws:iam::123456789012:role/BreakGlass'],
    });
    expect([...types(capture)].sort()).toEqual(['aws:iam/policy:Policy', 'aws:iam/role:Role', 'aws:iam/rolePolicyAttachment:RolePolicyAttachment']);
    const role = capture.one('aws:iam/role:Role');
    expect(role.inputs['name']).toBe('TourniquetResponder');
    expect(json(role.inputs['assumeRolePolicy'])).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'TrustTourniquetResponder',
          Effect: 'Allow',
          Principal: { AWS: central },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'tq-external-id' } },
        },
      ],
    });
    expect(outputs).toEqual({ memberRoleArn: `arn:aws:iam::${MOCK_ACCOUNT}:role/TourniquetResponder`, memberRoleName: 'TourniquetResponder' });
    const all = capture.ofType('aws:iam/policy:Policy').flatMap(statements);
    const denySelf = all.find((st) => st['Sid'] === 'DenyChangingOwnRoles');
    expect(denySelf).toMatchObject({ Effect: 'Deny', Action: ['iam:*'] });
    expect([denySelf?.['Resource']].flat().sort()).toEqual(['arn:aws:iam::123456789012:role/BreakGlass', `arn:aws:iam::${MOCK_ACCOUNT}:role/TourniquetResponder`]);
    const allowed = new Set(all.filter((st) => st['Effect'] === 'Allow').flatMap((st) => [st['Action']].flat() as string[]));
    const { actionPermissions } = await import('../../src/actions/registry.js');
    for (const p of actionPermissions()) for (const a of p.actions) expect(allowed.has(a)).toBe(true);
    const attached = new Set(capture.ofType('aws:iam/rolePolicyAttachment:RolePolicyAttachment').map((a) => a.inputs['policyArn']));
    for (const p of capture.ofType('aws:iam/policy:Policy')) expect(attached.has(p.state['arn'])).toBe(true);
  });
});

describe('failing fast', () => {
  it('an invalid list file fails the deploy naming the file and line, before any resource is planned', async () => {
    const infraDir = mkdtempSync(join(tmpdir(), 'tourniquet-infra-'));
    mkdirSync(join(infraDir, 'lists'));
    writeFileSync(join(infraDir, 'lists', 'threat-intel.txt'), '# ok\n198.51.100.1\n300.1.1.1\n');
    writeFileSync(join(infraDir, 'lists', 'trusted-ips.txt'), '192.0.2.10\n');
    const { parseTourniquetConfig } = await import('../../infra/config.js');
    const { createTourniquetStack } = await import('../../infra/program.js');
    const { ResourceCapture } = await import('./helpers/pulumi-mocks.js');
    const capture = new ResourceCapture();
    await installMocks(capture);
    await expect(createTourniquetStack({ config: parseTourniquetConfig({}), bundleDir, infraDir })).rejects.toThrow(
      /lists\/threat-intel\.txt: 1 invalid line\(s\) in the threat IP list\n {2}line 3: .*"300\.1\.1\.1"/,
    );
    await pulumi.runtime.disconnect();
    expect(capture.custom()).toEqual([]);
  });

  it('an invalid policy file fails the deploy with the policy error', async () => {
    const infraDir = mkdtempSync(join(tmpdir(), 'tourniquet-infra-'));
    writeFileSync(join(infraDir, 'bad-policy.yaml'), 'rules: 42\n');
    const { parseTourniquetConfig } = await import('../../infra/config.js');
    const { createTourniquetStack } = await import('../../infra/program.js');
    const { ResourceCapture } = await import('./helpers/pulumi-mocks.js');
    await installMocks(new ResourceCapture());
    await expect(
      createTourniquetStack({
        config: parseTourniquetConfig({ policyFile: 'bad-policy.yaml', manageThreatLists: false, manageTrustedIpList: false }),
        bundleDir,
        infraDir,
      }),
    ).rejects.toThrow(/bad-policy\.yaml/);
    await pulumi.runtime.disconnect();
  });
});

describe('prebuilt bundle folder', () => {
  it('a configured bundle folder without the handlers fails with the missing files named', async () => {
    const infraDir = mkdtempSync(join(tmpdir(), 'tourniquet-infra-'));
    mkdirSync(join(infraDir, 'dist'));
    writeFileSync(join(infraDir, 'dist', 'respond-handler.mjs'), 'export const handler = () => {};\n');
    const { parseTourniquetConfig } = await import('../../infra/config.js');
    const { createTourniquetStack } = await import('../../infra/program.js');
    const { ResourceCapture } = await import('./helpers/pulumi-mocks.js');
    await installMocks(new ResourceCapture());
    await expect(
      createTourniquetStack({
        config: parseTourniquetConfig({ lambdaBundleDir: 'dist', manageThreatLists: false, manageTrustedIpList: false }),
        infraDir,
      }),
    ).rejects.toThrow('tourniquet:lambdaBundleDir dist: missing approval-handler.mjs');
    await pulumi.runtime.disconnect();
  });
});
