import { describe, expect, it } from 'vitest';
import { LAMBDA_ENV } from '../../../infra/lambda-env.js';
import { lambdaBlocklist } from '../../../src/lambda/lambda-blocklist.js';
import { lambdaPlaybookOptions } from '../../../src/lambda/lambda-playbook-options.js';
import { readLambdaConfig } from '../../../src/lambda/lambda-config.js';
import { TourniquetError } from '../../../src/errors.js';

const base = { TOURNIQUET_JOURNAL_TABLE: 'journal', TOURNIQUET_EVIDENCE_BUCKET: 'evidence' };
const blocklistEnv = {
  [LAMBDA_ENV.blocklistBucket]: 'findings-bucket',
  [LAMBDA_ENV.blocklistKey]: 'lists/responder-blocklist.txt',
  [LAMBDA_ENV.blocklistSetId]: 'set0123',
  [LAMBDA_ENV.detectorId]: 'det0123',
};

describe('lambdaBlocklist', () => {
  it('reads the names infra sets, with the account from the responder role and the Region from AWS_REGION', () => {
    const config = readLambdaConfig({ ...base, ...blocklistEnv, TOURNIQUET_RESPONDER_ROLE_ARN: 'arn:aws:iam::111122223333:role/tourniquet-responder' });
    expect(lambdaBlocklist(config, 'eu-west-1')).toEqual({
      bucket: 'findings-bucket',
      key: 'lists/responder-blocklist.txt',
      detectorId: 'det0123',
      threatIntelSetId: 'set0123',
      accountId: '111122223333',
      region: 'eu-west-1',
    });
  });

  it('is undefined when the list is not managed (the detector id alone is not a blocklist)', () => {
    expect(lambdaBlocklist(readLambdaConfig({ ...base, [LAMBDA_ENV.detectorId]: 'det0123' }), 'eu-west-1')).toBeUndefined();
  });

  it('refuses a partial configuration, naming what is missing', () => {
    const config = readLambdaConfig({ ...base, [LAMBDA_ENV.blocklistBucket]: 'findings-bucket', [LAMBDA_ENV.blocklistSetId]: 'set0123' });
    expect(() => lambdaBlocklist(config, 'eu-west-1')).toThrow(TourniquetError);
    expect(() => lambdaBlocklist(config, 'eu-west-1')).toThrow(/missing: TOURNIQUET_BLOCKLIST_KEY, TOURNIQUET_DETECTOR_ID/);
  });

  it('validates the ids at cold start, as the EC2 playbook\'s blocklist option', async () => {
    const config = readLambdaConfig({ ...base, ...blocklistEnv, [LAMBDA_ENV.blocklistSetId]: 'set/../x' });
    await expect(lambdaPlaybookOptions(config, 'eu-west-1')).rejects.toThrow(/TOURNIQUET_BLOCKLIST_SET_ID: expected a GuardDuty ThreatIntelSet id, received string "set\/\.\.\/x"/);
  });
});
