/**
 * The deployed responder's playbook options: TOURNIQUET_PLAYBOOK_OPTIONS (every option of every playbook) and the
 * managed blocklist, validated at cold start against the playbooks' schemas, errors naming the variable.
 */
import { describe, expect, it } from 'vitest';
import { LAMBDA_ENV } from '../../../infra/lambda-env.js';
import { TourniquetError } from '../../../src/errors.js';
import { readLambdaConfig } from '../../../src/lambda/lambda-config.js';
import { lambdaPlaybookOptions } from '../../../src/lambda/lambda-playbook-options.js';

const base = { TOURNIQUET_JOURNAL_TABLE: 'journal', TOURNIQUET_EVIDENCE_BUCKET: 'evidence' };
const blocklistEnv = {
  [LAMBDA_ENV.blocklistBucket]: 'findings-bucket',
  [LAMBDA_ENV.blocklistKey]: 'lists/responder-blocklist.txt',
  [LAMBDA_ENV.blocklistSetId]: 'set0123',
  [LAMBDA_ENV.detectorId]: 'det0123',
};
const options = (env: Record<string, string>) => lambdaPlaybookOptions(readLambdaConfig({ ...base, ...env }), 'eu-west-1');

describe('lambdaPlaybookOptions', () => {
  it('reads every option of every playbook from TOURNIQUET_PLAYBOOK_OPTIONS', async () => {
    const json = JSON.stringify({ 'ec2-instance': { isolationSettleSeconds: 5, replacementProfileArn: 'arn:aws:iam::111122223333:instance-profile/forensic', autoScalingMethod: 'detach' } });
    expect(await options({ [LAMBDA_ENV.playbookOptions]: json })).toEqual({
      'ec2-instance': { isolationSettleSeconds: 5, replacementProfileArn: 'arn:aws:iam::111122223333:instance-profile/forensic', autoScalingMethod: 'detach' },
    });
    expect(await options({})).toEqual({});
  });

  it('adds the managed blocklist, under options given explicitly', async () => {
    const json = JSON.stringify({ 'ec2-instance': { isolationSettleSeconds: 2 } });
    expect(await options({ ...blocklistEnv, [LAMBDA_ENV.playbookOptions]: json })).toEqual({
      'ec2-instance': {
        isolationSettleSeconds: 2,
        blocklist: { bucket: 'findings-bucket', key: 'lists/responder-blocklist.txt', detectorId: 'det0123', threatIntelSetId: 'set0123', region: 'eu-west-1' },
      },
    });
  });

  it('refuses bad JSON, unknown playbooks, unknown keys and bad values, naming the variable and the value', async () => {
    const fails = async (value: string, pattern: RegExp) => {
      await expect(options({ [LAMBDA_ENV.playbookOptions]: value }), value).rejects.toThrow(TourniquetError);
      await expect(options({ [LAMBDA_ENV.playbookOptions]: value }), value).rejects.toThrow(pattern);
    };
    await fails('{"ec2-instance": ', /TOURNIQUET_PLAYBOOK_OPTIONS: expected JSON/);
    await fails('{"ec2-instanse": {}}', /TOURNIQUET_PLAYBOOK_OPTIONS: ec2-instanse: unknown playbook "ec2-instanse" \(did you mean "ec2-instance"\?\)/);
    await fails('{"ec2-instance": {"isolationSettleSecs": 5}}', /TOURNIQUET_PLAYBOOK_OPTIONS: ec2-instance: unknown key "isolationSettleSecs" \(did you mean "isolationSettleSeconds"\?\); allowed: isolationSettleSeconds, /);
    await fails('{"ec2-instance": {"isolationSettleSeconds": 9000}}', /ec2-instance\.isolationSettleSeconds: expected a number of seconds from 0 to 600, received number 9000/);
    await fails('["ec2-instance"]', /expected a mapping of playbook name to its options, received array of 1/);
  });
});
