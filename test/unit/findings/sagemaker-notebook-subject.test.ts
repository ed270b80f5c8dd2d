/**
 * The `sagemaker-notebook` subject: derived from the notebook instance an API call of an IAM finding acted on
 * (`affectedResources["AWS::SageMaker::NotebookInstance"]`, a name or an ARN); anything else there is ignored.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/findings/model.js';
import { parseRecord } from '../../../src/findings/read-input.js';

function withAffected(value: unknown): Finding {
  const event = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'samples', 'events', 'UnauthorizedAccess-IAMUser-TorIPCaller.eventbridge.json'), 'utf8')) as {
    detail: { service: { action: { awsApiCallAction: Record<string, unknown> } } };
  };
  event.detail.service.action.awsApiCallAction['affectedResources'] = { 'AWS::SageMaker::NotebookInstance': value };
  const rec = parseRecord(event, { name: 'test' });
  if (rec.kind !== 'finding') throw new Error('not a finding');
  return rec;
}

const notebooks = (f: Finding) => f.subjects.filter((s) => s.kind === 'sagemaker-notebook');

describe('sagemaker-notebook subject', () => {
  it('from a notebook-instance ARN: its name, account and Region, derived from the affected resource', () => {
    const [nb] = notebooks(withAffected('arn:aws:sagemaker:eu-west-1:111122223333:notebook-instance/research-nb-2'));
    expect(nb).toMatchObject({
      kind: 'sagemaker-notebook',
      id: 'research-nb-2',
      arn: 'arn:aws:sagemaker:eu-west-1:111122223333:notebook-instance/research-nb-2',
      accountId: '111122223333',
      region: 'eu-west-1',
      derived: true,
      derivedFrom: '.service.action.awsApiCallAction.affectedResources.AWS::SageMaker::NotebookInstance',
      details: { notebookInstanceName: 'research-nb-2' },
      ai: { isAi: true },
    });
  });

  it('from a bare name: in the finding\'s account and Region; the identity subjects are kept', () => {
    const f = withAffected('nb1');
    expect(notebooks(f)).toEqual([expect.objectContaining({ id: 'nb1', accountId: f.accountId, region: f.region, details: { notebookInstanceName: 'nb1' } })]);
    expect(f.subjects.map((s) => s.kind)).toEqual(expect.arrayContaining(['access-key', 'iam-user', 'sagemaker-notebook']));
  });

  it('ignores values that are no notebook (the finding stays valid)', () => {
    for (const v of ['not a name!', 'arn:aws:sagemaker:eu-west-1:111122223333:training-job/x', 42, '']) expect(notebooks(withAffected(v)), String(v)).toEqual([]);
  });
});
