/**
 * The IAM policies the Pulumi program generates, taken from the program under mocks: the central responder role and
 * a member role, each as the managed policy documents attached to it (a realistic organisation: two target
 * Regions, listed member accounts, an organisation id).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawTourniquetConfig } from '../../../infra/config.js';
import { MOCK_ACCOUNT, buildStack } from './pulumi-mocks.js';
import type { ResourceCapture } from './pulumi-mocks.js';

export interface GeneratedRole {
  readonly roleArn: string;
  readonly roleName: string;
  /** Managed policies attached to the role, by the policy's ARN. */
  readonly policies: ReadonlyArray<{ arn: string; name: string; document: { Version: string; Statement: Array<Record<string, unknown>> } }>;
}

export const TARGET_REGIONS = ['us-east-1', 'eu-west-1'];
export const MEMBER_ACCOUNTS = ['210000000000', '210000001111'];
export const ORGANIZATION_ID = 'o-abcdefghij';
export const CENTRAL_ACCOUNT = MOCK_ACCOUNT;

const bundleDir = mkdtempSync(join(tmpdir(), 'tourniquet-bundle-'));

async function build(raw: RawTourniquetConfig): Promise<ResourceCapture> {
  const { parseTourniquetConfig } = await import('../../../infra/config.js');
  const { createTourniquetStack } = await import('../../../infra/program.js');
  const { capture } = await buildStack(() => createTourniquetStack({ config: parseTourniquetConfig(raw), bundleDir }));
  return capture;
}

function roleOf(capture: ResourceCapture): GeneratedRole {
  const role = capture.one('aws:iam/role:Role');
  const roleName = String(role.state['name']);
  const policies = capture.ofType('aws:iam/policy:Policy');
  const attached = capture.ofType('aws:iam/rolePolicyAttachment:RolePolicyAttachment').filter((a) => a.inputs['role'] === roleName);
  return {
    roleArn: String(role.state['arn']),
    roleName,
    policies: attached.map((a) => {
      const p = policies.find((x) => x.state['arn'] === a.inputs['policyArn']);
      if (p === undefined) throw new Error(`attachment ${a.name}: no policy ${String(a.inputs['policyArn'])}`);
      return { arn: String(p.state['arn']), name: String(p.state['name']), document: JSON.parse(String(p.inputs['policy'])) as GeneratedRole['policies'][number]['document'] };
    }),
  };
}

/** The central stack's responder role (KMS queues and a policy file, so every optional statement is there). */
export async function centralRole(): Promise<GeneratedRole> {
  return roleOf(
    await build({
      targetRegions: TARGET_REGIONS,
      memberAccountIds: MEMBER_ACCOUNTS,
      organizationId: ORGANIZATION_ID,
      queueEncryption: 'KMS',
      policyFile: '../examples/tourniquet.observe.yaml',
      protectedPrincipalArns: [`arn:aws:iam::${MOCK_ACCOUNT}:role/BreakGlass`],
    }),
  );
}

/** A member stack's role (in the mocks' account). */
export async function memberRole(): Promise<GeneratedRole> {
  return roleOf(
    await build({
      memberAccountMode: true,
      responderRoleArn: `arn:aws:iam::999988887777:role/tourniquet-responder-0a1b2c3`,
      targetRegions: TARGET_REGIONS,
      protectedPrincipalArns: [`arn:aws:iam::${MOCK_ACCOUNT}:role/BreakGlass`],
    }),
  );
}
