import * as pulumi from '@pulumi/pulumi';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTourniquetConfig, parseTourniquetConfig } from '../../infra/config.js';

afterEach(() => pulumi.runtime.setAllConfig({}));

describe('stack configuration', () => {
  it('has documented defaults', () => {
    const c = parseTourniquetConfig({});
    expect(c).toMatchObject({
      memberAccountMode: false,
      findingPublishingFrequency: 'FIFTEEN_MINUTES',
      mode: 'observe',
      severityThreshold: 4,
      queueEncryption: 'SQS_MANAGED',
      maxReceiveCount: 5,
      evidenceObjectLockMode: 'GOVERNANCE',
      evidenceRetentionDays: 365,
      findingsTransitionDays: 90,
      findingsExpirationDays: 365,
      memberRoleName: 'TourniquetResponder',
      protectData: true,
      drillEvents: false,
    });
    expect(c.features).toEqual({
      S3_DATA_EVENTS: true,
      EKS_AUDIT_LOGS: true,
      EBS_MALWARE_PROTECTION: true,
      RDS_LOGIN_EVENTS: true,
      LAMBDA_NETWORK_LOGS: true,
      RUNTIME_MONITORING: false,
      AI_PROTECTION: true,
    });
  });

  it('reads tourniquet:* keys (JSON values decoded, strings kept) from the stack', () => {
    pulumi.runtime.setAllConfig({
      'tourniquet:severityThreshold': '7',
      'tourniquet:drillEvents': 'true',
      'tourniquet:existingDetectorId': '12345678901234567890123456789012',
      'tourniquet:features': JSON.stringify({ RUNTIME_MONITORING: true }),
      'tourniquet:notificationEmails': JSON.stringify(['soc@example.com']),
      'tourniquet:memberAccountIds': JSON.stringify(['111122223333']),
      'aws:region': 'eu-west-1',
    });
    const c = loadTourniquetConfig();
    expect(c.severityThreshold).toBe(7);
    expect(c.drillEvents).toBe(true);
    // A numeric-looking detector id stays a string.
    expect(c.existingDetectorId).toBe('12345678901234567890123456789012');
    expect(c.features.RUNTIME_MONITORING).toBe(true);
    expect(c.features.S3_DATA_EVENTS).toBe(true);
    expect(c.notificationEmails).toEqual(['soc@example.com']);
    expect(c.memberAccountIds).toEqual(['111122223333']);
  });

  it('fails with every problem, each naming its tourniquet: key', () => {
    pulumi.runtime.setAllConfig({
      'tourniquet:severityThreshold': '11',
      'tourniquet:mode': 'yolo',
      'tourniquet:severityTreshold': '5',
      'tourniquet:memberAccountIds': JSON.stringify(['12345']),
    });
    let message = '';
    try {
      loadTourniquetConfig();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^invalid stack configuration:/);
    expect(message).toContain('tourniquet:severityThreshold: Too big: expected number to be <=10');
    expect(message).toContain('tourniquet:mode: Invalid option');
    expect(message).toContain('tourniquet:memberAccountIds.0: a 12-digit AWS account id');
    expect(message).toContain('tourniquet:severityTreshold: unknown key');
  });

  it('member mode needs the central responder role ARN', () => {
    expect(() => parseTourniquetConfig({ memberAccountMode: true })).toThrow(/tourniquet:responderRoleArn: required when memberAccountMode is true/);
    expect(parseTourniquetConfig({ memberAccountMode: true, responderRoleArn: 'arn:aws:iam::111122223333:role/r' }).memberAccountMode).toBe(true);
  });

  it('expiration must come after the Glacier transition', () => {
    expect(() => parseTourniquetConfig({ findingsTransitionDays: 100, findingsExpirationDays: 90 })).toThrow(/findingsExpirationDays: must be greater/);
  });

  it('an SQS batch above 10 needs a batching window', () => {
    expect(() => parseTourniquetConfig({ batchSize: 50 })).toThrow(/tourniquet:maxBatchingWindowSeconds: must be at least 1/);
    expect(parseTourniquetConfig({ batchSize: 50, maxBatchingWindowSeconds: 5 }).batchSize).toBe(50);
  });

  it('the secret Slack URL never goes through the schema', () => {
    pulumi.runtime.setAllConfig({ 'tourniquet:slackWebhookUrl': 'https://hooks.slack.com/services/X' }, ['tourniquet:slackWebhookUrl']);
    expect(() => loadTourniquetConfig()).not.toThrow();
  });
});

describe('example stack files', () => {
  it.each(['Pulumi.example.yaml', 'Pulumi.member-example.yaml'])('%s validates against the schema', async (file) => {
    const { readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { parse } = await import('yaml');
    const doc = parse(await readFile(join(import.meta.dirname, '..', '..', 'infra', file), 'utf8')) as { config: Record<string, unknown> };
    const raw = Object.fromEntries(
      Object.entries(doc.config)
        .filter(([k]) => k.startsWith('tourniquet:'))
        .map(([k, v]) => [k.slice('tourniquet:'.length), v]),
    );
    const config = parseTourniquetConfig(raw);
    expect(config.memberAccountMode).toBe(file.includes('member'));
    if (!config.memberAccountMode) expect(config).toEqual(parseTourniquetConfig({}));
  });
});
