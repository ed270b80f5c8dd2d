/**
 * Guardrails firing and failure handling, against moto_server with the state read back.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyAction } from '../../src/actions/action.js';
import { getAction } from '../../src/actions/registry.js';
import { parseRecord } from '../../src/findings/read-input.js';
import type { Finding } from '../../src/findings/model.js';
import { emulatorChanges, emulatorState } from '../support/emulator-state.js';
import { isReadOnlyOperation, startHarness, type Harness } from '../support/engine-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const policyWith = (guardrails: string): string => `
version: 1
defaults: { mode: approve }
guardrails:
${guardrails}
rules:
  - name: gpu-crypto
    match: { type: ["CryptoCurrency:EC2/*"] }
    mode: contain
`;

/** Mid-hour, so budget and breaker windows cannot roll over during a test. */
const fixedClock = (): Date => new Date('2026-11-28T10:30:00.000Z');

function asSample(f: Finding): Finding {
  const raw = structuredClone(f.raw) as { service: { additionalInfo: Record<string, unknown> } };
  raw.service.additionalInfo = { ...raw.service.additionalInfo, sample: true };
  const rec = parseRecord(raw, { name: 'sample' });
  if (rec.kind !== 'finding') throw new Error('not a finding');
  return rec;
}

describe('guardrails', () => {
  it('a sample finding never mutates anything', async () => {
    const fleet = await h.seed('sample');
    const finding = asSample(await h.finding(fleet.targetInstanceId));
    const instance = await h.state(fleet);
    const before = await emulatorState(h.moto.endpoint);
    const { responder, calls } = await h.engine();
    const r = await responder.respond(finding);
    const o = r.outcomes[0]!;
    expect(o.decision.effectiveMode).toBe('observe');
    expect(o.decision.decidedBy).toBe('guardrail:sample');
    expect(calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
    // Read back from the emulator: not one resource created, changed or tagged in any service, and the
    // instance's own state (which also shows removals: profile, registrations, groups) as it was.
    expect(emulatorChanges(before, await emulatorState(h.moto.endpoint))).toEqual([]);
    expect(await h.state(fleet)).toEqual(instance);
  });

  it('the exemption tag is honoured', async () => {
    const fleet = await h.seed('exempt');
    await h.clients.ec2.send(new CreateTagsCommand({ Resources: [fleet.targetInstanceId], Tags: [{ Key: 'tourniquet:exempt', Value: 'true' }] }));
    const finding = await h.finding(fleet.targetInstanceId);
    const before = await h.state(fleet);
    const everything = await emulatorState(h.moto.endpoint);
    const { responder, calls } = await h.engine();
    const o = (await responder.respond(finding)).outcomes[0]!;
    expect(o.decision.decidedBy).toBe('guardrail:exempt-tag');
    expect(o.status).toBe('observed');
    expect(calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
    expect(await h.state(fleet)).toEqual(before);
    expect(emulatorChanges(everything, await emulatorState(h.moto.endpoint))).toEqual([]);
  });

  it('protected accounts and protected principals are never contained', async () => {
    const fleet = await h.seed('protected');
    const finding = await h.finding(fleet.targetInstanceId);
    const instance = await h.state(fleet);
    const before = await emulatorState(h.moto.endpoint);
    const acct = await h.engine({ policy: policyWith('  protectedAccounts: ["123456789012"]') });
    const oa = (await acct.responder.respond(finding)).outcomes[0]!;
    expect(oa.decision.decidedBy).toBe('guardrail:protected-account');
    expect(oa.decision.effectiveMode).toBe('observe');
    const princ = await h.engine({ policy: policyWith('  protectedPrincipals: ["arn:aws:iam::*:instance-profile/protected-*"]') });
    const op = (await princ.responder.respond(finding)).outcomes[0]!;
    expect(op.decision.decidedBy).toBe('guardrail:protected-principal');
    expect(op.decision.effectiveMode).toBe('observe');
    expect([...acct.calls, ...princ.calls].filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
    // Read back from the emulator: nothing anywhere created or changed, the instance's state as it was.
    expect(emulatorChanges(before, await emulatorState(h.moto.endpoint))).toEqual([]);
    expect(await h.state(fleet)).toEqual(instance);
  });

  it('the per-account budget falls back to approve and notifies', async () => {
    const fleet = await h.seed('budget');
    // A fixed clock: the budget counts per UTC hour, and a run crossing the hour would start a new budget.
    const { responder, notifier } = await h.engine({ policy: policyWith('  budget: { perAccountPerHour: 1 }'), now: fixedClock });
    const first = (await responder.respond(await h.finding(fleet.instanceIds[0]!))).outcomes[0]!;
    const second = (await responder.respond(await h.finding(fleet.instanceIds[1]!))).outcomes[0]!;
    expect(first.decision.effectiveMode).toBe('contain');
    expect(second.decision.effectiveMode).toBe('approve');
    expect(second.decision.decidedBy).toBe('guardrail:budget');
    expect(second.steps.find((s) => s.stepId === 'isolate-network')?.status).not.toBe('done');
    const state = await h.state(fleet, undefined, fleet.instanceIds[1]);
    expect(Object.values(state.groupsByEni).flat()).toContain(fleet.appSecurityGroupId);
    expect(notifier.sent.some((n) => n.incidentId === second.incidentId && n.notes.some((x) => x.startsWith('budget')))).toBe(true);
  });

  it('a storm of findings trips the breaker instead of isolating the fleet', async () => {
    const fleet = await h.seed('breaker');
    const secondId = fleet.instanceIds[1]!;
    const secondBefore = await h.state(fleet, undefined, secondId);
    const { responder } = await h.engine({ policy: policyWith('  breaker: { findings: 2, withinMinutes: 15 }'), now: fixedClock });
    const first = (await responder.respond(await h.finding(fleet.instanceIds[0]!))).outcomes[0]!;
    const second = (await responder.respond(await h.finding(secondId))).outcomes[0]!;
    expect(first.decision.effectiveMode).toBe('contain');
    expect(second.decision.decidedBy).toBe('guardrail:breaker');
    expect(second.decision.effectiveMode).toBe('approve');
    expect(second.status).toBe('awaiting-approval');
    // The first instance was contained; the second, read back from the emulator, was not touched beyond evidence:
    // still on its own group, in service, registered, with its profile, untagged, no deny naming it. (The role is
    // shared, so it now carries the first instance's session deny: that one is left out of the comparison.)
    const firstAfter = await h.state(fleet, undefined, fleet.instanceIds[0]);
    expect(Object.values(firstAfter.groupsByEni).flat()).not.toContain(fleet.appSecurityGroupId);
    const secondAfter = await h.state(fleet, undefined, secondId);
    expect(Object.values(secondAfter.groupsByEni).flat()).toContain(fleet.appSecurityGroupId);
    expect(secondAfter.roleInlinePolicies.filter((p) => p.includes(secondId))).toEqual([]);
    expect({ ...secondAfter, roleInlinePolicies: [] }).toEqual({ ...secondBefore, roleInlinePolicies: [] });
  });
});

describe('failures', () => {
  it('a failed step is recorded as failed and its dependents are skipped, never reported done', async () => {
    const fleet = await h.seed('failing');
    const before = await h.state(fleet);
    const broken = (name: string): AnyAction => {
      const real = getAction(name);
      if (name !== 'autoscaling.leave-group') return real;
      return {
        ...real,
        apply: () => Promise.reject(Object.assign(new Error('User is not authorized to perform: autoscaling:EnterStandby'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })),
      };
    };
    const { responder } = await h.engine({ getAction: broken });
    const o = (await responder.respond(await h.finding(fleet.targetInstanceId))).outcomes[0]!;
    const st = Object.fromEntries(o.steps.map((s) => [s.stepId, s]));
    expect(st['leave-auto-scaling']!.status).toBe('failed');
    expect(st['leave-auto-scaling']!.error).toMatchObject({ name: 'AccessDenied', transient: false });
    for (const id of ['deregister-targets', 'isolate-network', 'nacl-cut', 'stop-instance']) {
      expect(st[id]!.status, id).toBe('skipped');
    }
    // Credentials are still cut: they do not need the instance out of its fleet.
    for (const id of ['snapshot-volumes', 'deny-instance-session', 'replace-instance-profile', 'enforce-imdsv2']) {
      expect(st[id]!.status, id).toBe('done');
    }
    expect(o.status).toBe('partial');
    // The network was not cut while the instance was still in its fleet.
    const after = await h.state(fleet);
    expect(after.groupsByEni).toEqual(before.groupsByEni);
  });

  it('transient errors are retried with backoff and the retries are recorded', async () => {
    const fleet = await h.seed('throttled');
    let failures = 0;
    const flaky = (name: string): AnyAction => {
      const real = getAction(name);
      if (name !== 'ec2.enforce-imdsv2') return real;
      return {
        ...real,
        apply: (input: never, pre: never, ctx: never) => {
          if (failures < 2) {
            failures++;
            return Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } }));
          }
          return real.apply(input, pre, ctx);
        },
      };
    };
    const { responder } = await h.engine({ getAction: flaky });
    const o = (await responder.respond(await h.finding(fleet.targetInstanceId))).outcomes[0]!;
    expect(o.steps.find((s) => s.stepId === 'enforce-imdsv2')?.status).toBe('done');
    expect(failures).toBe(2);
    const incident = await responder.getIncident(o.incidentId);
    const result = JSON.parse(await readFile(join(incident.evidenceLocation!.replace(/^file:\/\//, ''), 'steps', 'enforce-imdsv2', 'result.json'), 'utf8')) as { retries: number };
    expect(result.retries).toBe(2);
    expect((await h.state(fleet)).httpTokens).toBe('required');
  });
});
