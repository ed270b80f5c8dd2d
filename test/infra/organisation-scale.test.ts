/**
 * The Pulumi program for an organisation of 17 Regions and 40 member accounts, under Pulumi mocks: the central
 * stack and one member stack. Every managed policy the program creates fits IAM's limits (6,144 characters each,
 * 10 per role), and the figures are printed (recorded in infra/README.md).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RawTourniquetConfig } from '../../infra/config.js';
import type { ResourceCapture } from './helpers/pulumi-mocks.js';
import { buildStack } from './helpers/pulumi-mocks.js';
import { ORGANISATION_ACCOUNTS, ORGANISATION_REGIONS } from './helpers/organisation.js';

const bundleDir = mkdtempSync(join(tmpdir(), 'tourniquet-bundle-'));

async function build(raw: RawTourniquetConfig): Promise<ResourceCapture> {
  const { parseTourniquetConfig } = await import('../../infra/config.js');
  const { createTourniquetStack } = await import('../../infra/program.js');
  const { capture } = await buildStack(() => createTourniquetStack({ config: parseTourniquetConfig(raw), bundleDir }));
  return capture;
}

/** Managed policies attached to each role: role name → policy sizes (characters, as IAM counts them). */
function managedPoliciesByRole(capture: ResourceCapture): Map<string, Array<{ name: string; chars: number }>> {
  const policies = new Map(capture.ofType('aws:iam/policy:Policy').map((p) => [String(p.state['arn']), p]));
  const byRole = new Map<string, Array<{ name: string; chars: number }>>();
  for (const attachment of capture.ofType('aws:iam/rolePolicyAttachment:RolePolicyAttachment')) {
    const policy = policies.get(String(attachment.inputs['policyArn']));
    if (policy === undefined) throw new Error(`attachment ${attachment.name} names no policy of this stack`);
    const text = String(policy.inputs['policy']);
    const role = String(attachment.inputs['role']);
    const list = byRole.get(role) ?? [];
    list.push({ name: policy.name, chars: JSON.stringify(JSON.parse(text)).length });
    byRole.set(role, list);
  }
  return byRole;
}

function report(label: string, byRole: Map<string, Array<{ name: string; chars: number }>>): string {
  return [...byRole]
    .map(([role, list]) => {
      const sizes = list.map((p) => p.chars);
      return `${label} ${role}: ${list.length} managed policies, ${sizes.reduce((a, b) => a + b, 0)} characters, largest ${Math.max(...sizes)} (${sizes.join(', ')})`;
    })
    .join('\n');
}

describe('an organisation of 17 Regions and 40 member accounts', () => {
  it('central stack: every managed policy fits', async () => {
    const capture = await build({ targetRegions: ORGANISATION_REGIONS, memberAccountIds: ORGANISATION_ACCOUNTS, organizationId: 'o-abcdefghij' });
    const byRole = managedPoliciesByRole(capture);
    console.log(report('central', byRole));
    expect(byRole.size).toBe(1);
    for (const list of byRole.values()) {
      expect(list.length).toBeLessThanOrEqual(10);
      for (const p of list) expect(p.chars, p.name).toBeLessThanOrEqual(6_144);
    }
  });

  it('member stack: every managed policy fits', async () => {
    const capture = await build({
      memberAccountMode: true,
      responderRoleArn: 'arn:aws:iam::999988887777:role/tourniquet-responder-0a1b2c3',
      targetRegions: ORGANISATION_REGIONS,
    });
    const byRole = managedPoliciesByRole(capture);
    console.log(report('member', byRole));
    expect(byRole.size).toBe(1);
    for (const list of byRole.values()) {
      expect(list.length).toBeLessThanOrEqual(10);
      for (const p of list) expect(p.chars, p.name).toBeLessThanOrEqual(6_144);
    }
  });
});
