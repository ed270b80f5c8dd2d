/**
 * `tourniquet:playbookOptions`: validated against each playbook's schema at deploy time (every problem named by its
 * config key), and handed to the responder as TOURNIQUET_PLAYBOOK_OPTIONS, which the Lambda reads back the same way.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTourniquetConfig } from '../../infra/config.js';
import { buildStack } from './helpers/pulumi-mocks.js';

const bundleDir = mkdtempSync(join(tmpdir(), 'tourniquet-bundle-'));
const options = { 'ec2-instance': { isolationSettleSeconds: 5, replacementProfileArn: 'arn:aws:iam::111122223333:instance-profile/forensic', autoScalingMethod: 'detach' } };

describe('tourniquet:playbookOptions', () => {
  it('defaults to none', () => {
    expect(parseTourniquetConfig({}).playbookOptions).toEqual({});
  });

  it('refuses unknown playbooks, unknown keys and bad values, naming the config key', () => {
    const message = (raw: Record<string, unknown>): string => {
      try {
        parseTourniquetConfig({ playbookOptions: raw });
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    };
    expect(message({ 'ec2-instance': { isolationSettleSecs: 5 } })).toContain(
      'tourniquet:playbookOptions.ec2-instance: unknown key "isolationSettleSecs" (did you mean "isolationSettleSeconds"?); allowed: isolationSettleSeconds,',
    );
    expect(message({ 'ec2-instance': { autoScalingMethod: 'terminate' } })).toContain(
      'tourniquet:playbookOptions.ec2-instance.autoScalingMethod: expected "standby" or "detach", received string "terminate"',
    );
    expect(message({ ec2: {} })).toContain('tourniquet:playbookOptions.ec2: unknown playbook "ec2"');
  });

  it('refuses a blocklist of its own while the program manages the threat list', () => {
    const blocklist = { bucket: 'my-lists', key: 'lists/responder-blocklist.txt', detectorId: 'det1', threatIntelSetId: 'set1' };
    expect(() => parseTourniquetConfig({ playbookOptions: { 'ec2-instance': { blocklist } } })).toThrow(/playbookOptions\.ec2-instance\.blocklist: set by the program/);
    expect(parseTourniquetConfig({ manageThreatLists: false, playbookOptions: { 'ec2-instance': { blocklist } } }).playbookOptions).toEqual({ 'ec2-instance': { blocklist } });
  });

  it('reaches the deployed responder, which reads every option back', async () => {
    const { createTourniquetStack } = await import('../../infra/program.js');
    const { capture } = await buildStack(() => createTourniquetStack({ config: parseTourniquetConfig({ playbookOptions: options }), bundleDir }));
    const fn = capture.one('aws:lambda/function:Function', 'respond');
    const env = (fn.inputs['environment'] as { variables: Record<string, string> }).variables;
    expect(JSON.parse(env['TOURNIQUET_PLAYBOOK_OPTIONS']!)).toEqual(options);
    const { readLambdaConfig } = await import('../../src/lambda/lambda-config.js');
    const { lambdaPlaybookOptions } = await import('../../src/lambda/lambda-playbook-options.js');
    const read = await lambdaPlaybookOptions(readLambdaConfig(env), 'us-east-1');
    // The managed blocklist is added by the program; every configured option is there as given.
    const { optionsOf } = await import('../support/playbook-options-of.js');
    expect(optionsOf(read, 'ec2-instance')).toMatchObject(options['ec2-instance']);
    expect(optionsOf(read, 'ec2-instance')?.['blocklist']).toMatchObject({ key: 'lists/responder-blocklist.txt' });
  });
});
