/**
 * The run-time deny `iam.deny-notebook-sessions` puts on a notebook's execution role, through AWS's catalogue (every
 * key exists and applies) and a real policy evaluator: the role's `SageMaker` sessions issued before the cut-off are
 * denied (a stolen copy of the notebook's credentials included); later ones, and other sessions of the role, are not.
 */
import { describe, expect, it } from 'vitest';
import { denyNotebookSessionsDocument } from '../../src/actions/iam-deny-notebook-sessions.js';
import { statementProblems, type CatalogueStatement } from './helpers/iam-catalogue.js';
import type { IamRequest } from './helpers/iam-requests.js';
import { ALLOW_ALL, decide, type Principal } from './helpers/iam-simulator.js';

const ACCOUNT = '123456789012';
const ROLE_ID = 'AROA3XFRBF23NOTEBOOK1';
const CUTOFF = '2026-12-01T10:00:01Z';
const doc = denyNotebookSessionsDocument(ROLE_ID, CUTOFF) as unknown as { Statement: CatalogueStatement[] };

const session = (name: string): Principal => ({ arn: `arn:aws:sts::${ACCOUNT}:assumed-role/nb-role/${name}`, identityPolicies: [ALLOW_ALL, doc] });
const invoke = (sessionName: string, issued: string): IamRequest => ({
  action: 'bedrock:InvokeModel',
  resource: 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0',
  context: { 'aws:RequestedRegion': 'us-east-1', 'aws:userid': `${ROLE_ID}:${sessionName}`, 'aws:TokenIssueTime': issued },
  why: 'invoke a model',
});

describe('iam.deny-notebook-sessions document', () => {
  it('uses only keys that exist and apply', async () => {
    expect((await Promise.all(doc.Statement.map((s) => statementProblems(s)))).flat()).toEqual([]);
  });

  it('denies the role\'s SageMaker sessions issued before the cut-off, not later ones nor other sessions of the role', async () => {
    expect(await decide(session('SageMaker'), invoke('SageMaker', '2026-12-01T09:30:00Z'))).toBe('ExplicitlyDenied');
    expect(await decide(session('SageMaker'), invoke('SageMaker', '2026-12-01T10:05:00Z'))).toBe('Allowed');
    expect(await decide(session('ci-deploy'), invoke('ci-deploy', '2026-12-01T09:30:00Z'))).toBe('Allowed');
  });
});
