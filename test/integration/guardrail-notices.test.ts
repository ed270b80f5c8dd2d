/**
 * Every guardrail block notifies (issue 7, item 4), against moto_server with a recording notifier: a guardrail that
 * lowers the mode the rule asked for sends its notification in every mode, observe included, saying which guardrail,
 * what was not done and why — and nothing was changed that the lowered mode does not allow (state read back).
 * Observe decided by the policy itself, and sample findings, stay silent.
 */
import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeededFleet } from '../../src/drill/seed-gpu-fleet.js';
import type { Finding } from '../../src/findings/model.js';
import { parseRecord } from '../../src/findings/read-input.js';
import type { IncidentNotification } from '../../src/notify/notification.js';
import { isReadOnlyOperation, startHarness, type Engine, type Harness } from '../support/engine-harness.js';

let h: Harness;
let fleet: SeededFleet;
/** Tagged exempt in the account (so in the finding built from it, and live). */
let exemptId: string;
let plainId: string;
beforeAll(async () => {
  h = await startHarness();
  fleet = await h.seed('notices');
  plainId = fleet.instanceIds.find((i) => i !== fleet.targetInstanceId)!;
  exemptId = fleet.targetInstanceId;
  await h.clients.ec2.send(new CreateTagsCommand({ Resources: [exemptId], Tags: [{ Key: 'tourniquet:exempt', Value: 'true' }] }));
});
afterAll(async () => {
  await h?.close();
});

const policyWith = (guardrails: string, mode = 'contain'): string => `
version: 1
defaults: { mode: approve }
guardrails:
${guardrails}
rules:
  - name: gpu-crypto
    match: { type: ["CryptoCurrency:EC2/*"] }
    mode: ${mode}
`;

const fixedClock = (): Date => new Date('2026-11-28T10:30:00.000Z');

const CONTAINMENT = ['tag-instance', 'preserve-instance', 'leave-auto-scaling', 'deregister-targets', 'prepare-isolation', 'isolate-network', 'deny-instance-session', 'replace-instance-profile', 'enforce-imdsv2'];

function reparse(raw: unknown): Finding {
  const rec = parseRecord(raw as never, { name: 'test' });
  if (rec.kind !== 'finding') throw new Error('not a finding');
  return rec;
}

/** The same finding without the drill markers (as GuardDuty would send it). */
function notDrill(f: Finding): Finding {
  const raw = structuredClone(f.raw) as { title: string; service: { additionalInfo: Record<string, unknown> } };
  raw.title = raw.title.replace('[DRILL] ', '');
  raw.service.additionalInfo = { value: '{}', type: 'default' };
  return reparse(raw);
}

function asSample(f: Finding): Finding {
  const raw = structuredClone(f.raw) as { service: { additionalInfo: Record<string, unknown> } };
  raw.service.additionalInfo = { ...raw.service.additionalInfo, sample: true };
  return reparse(raw);
}

async function only(e: Engine, incidentId: string): Promise<IncidentNotification> {
  const mine = e.notifier.sent.filter((n) => n.incidentId === incidentId);
  expect(mine).toHaveLength(1);
  return mine[0]!;
}

/** An observe-level block: one notification although the mode is observe; nothing mutated; the timeline says it. */
async function expectBlockNotice(e: Engine, finding: Finding, guardrail: string, reason: RegExp): Promise<IncidentNotification> {
  const before = await h.state(fleet, undefined, finding.subjects[0]!.id);
  const o = (await e.responder.respond(finding)).outcomes[0]!;
  expect(o.decision.decidedBy).toBe(`guardrail:${guardrail}`);
  expect(o.status).toBe('observed');
  const n = await only(e, o.incidentId);
  expect(n).toMatchObject({ mode: 'observe', reason: guardrail, decidedBy: `guardrail:${guardrail}` });
  expect(n.notes).toContain(`guardrail ${guardrail} lowered the mode from contain to observe: nothing was changed`);
  const notDone = n.notes.find((x) => x.startsWith('not done: '));
  expect(notDone?.slice('not done: '.length).split(', ')).toEqual(expect.arrayContaining(['capture-evidence', 'snapshot-volumes', ...CONTAINMENT]));
  expect(n.notes.some((x) => x.startsWith(`${guardrail}: `) && reason.test(x))).toBe(true);
  const events = await e.journal.listEvents(o.incidentId);
  expect(events.some((ev) => ev.type === 'notify.guardrail' && ev.message.includes(`guardrail ${guardrail} lowered`))).toBe(true);
  expect(events.some((ev) => ev.type === 'notify.suppressed')).toBe(false);
  expect(e.calls.filter((c) => !isReadOnlyOperation(c.operation))).toEqual([]);
  expect(await h.state(fleet, undefined, finding.subjects[0]!.id)).toEqual(before);
  return n;
}

describe('a guardrail that lowers the mode notifies in every mode', () => {
  it('exemption tag (observe): notified, marked as a drill, nothing changed', async () => {
    const e = await h.engine({ policy: policyWith('  budget: { perAccountPerHour: 5 }') });
    const n = await expectBlockNotice(e, await h.finding(exemptId), 'exempt-tag', /exemption tag tourniquet:exempt="true"/);
    expect(n.notes[0]).toMatch(/^DRILL: /);
  });

  it('exemption tag on a real (non-drill) finding: notified, not marked as a drill', async () => {
    const e = await h.engine();
    const n = await expectBlockNotice(e, notDrill(await h.finding(exemptId)), 'exempt-tag', /exemption tag/);
    expect(n.notes.some((x) => x.startsWith('DRILL'))).toBe(false);
  });

  it('protected principal (observe)', async () => {
    const e = await h.engine({ policy: policyWith('  protectedPrincipals: ["arn:aws:iam::*:instance-profile/*"]') });
    await expectBlockNotice(e, await h.finding(plainId), 'protected-principal', /matches protected principal/);
  });

  it('protected account (observe)', async () => {
    const e = await h.engine({ policy: policyWith('  protectedAccounts: ["123456789012"]') });
    await expectBlockNotice(e, await h.finding(plainId), 'protected-account', /account 123456789012 matches protected account/);
    // Releasing the observed incident is not a block: it is recorded, not sent.
    const [incident] = await e.journal.listIncidents();
    expect((await e.responder.release(incident!.incidentId, { by: 'dana', reason: 'done' })).incident.status).toBe('released');
    expect(e.notifier.sent).toHaveLength(1);
  });

  it('budget (approve): notified with the containment steps that now wait instead of running', async () => {
    const e = await h.engine({ policy: policyWith('  budget: { perAccountPerHour: 0 }'), now: fixedClock });
    const o = (await e.responder.respond(await h.finding(plainId))).outcomes[0]!;
    expect(o.decision).toMatchObject({ decidedBy: 'guardrail:budget', effectiveMode: 'approve' });
    const n = await only(e, o.incidentId);
    expect(n.notes).toContain('guardrail budget lowered the mode from contain to approve');
    expect(n.notes).toContain(`not run automatically (they wait for approval): ${CONTAINMENT.join(', ')}`);
    expect(n.notes.some((x) => x.startsWith('budget: budget is 0 containments per hour'))).toBe(true);
    expect(n.waiting).toEqual(expect.arrayContaining(['tag-instance', 'preserve-instance']));
    const state = await h.state(fleet, undefined, plainId);
    expect(Object.values(state.groupsByEni).flat()).toContain(fleet.appSecurityGroupId); // not isolated
    expect(state.httpTokens).toBe('optional');
  });

  it('breaker (approve)', async () => {
    const e = await h.engine({ policy: policyWith('  breaker: { findings: 1, withinMinutes: 15 }'), now: fixedClock });
    const o = (await e.responder.respond(await h.finding(plainId))).outcomes[0]!;
    expect(o.decision).toMatchObject({ decidedBy: 'guardrail:breaker', effectiveMode: 'approve' });
    const n = await only(e, o.incidentId);
    expect(n.notes).toContain('guardrail breaker lowered the mode from contain to approve');
    expect(n.notes.some((x) => x.startsWith('not run automatically (they wait for approval): tag-instance'))).toBe(true);
    expect(n.notes.some((x) => x.startsWith('breaker: breaker tripped'))).toBe(true);
    expect(Object.values((await h.state(fleet, undefined, plainId)).groupsByEni).flat()).toContain(fleet.appSecurityGroupId);
  });
});

describe('what stays silent', () => {
  it('observe asked for by the policy (no guardrail lowered it): recorded, not sent', async () => {
    const e = await h.engine({ policy: policyWith('  budget: { perAccountPerHour: 5 }', 'observe') });
    const o = (await e.responder.respond(await h.finding(exemptId))).outcomes[0]!;
    expect(o.decision.decidedBy).toBe('rule:gpu-crypto');
    expect(e.notifier.sent).toEqual([]);
    expect((await e.journal.listEvents(o.incidentId)).some((ev) => ev.type === 'notify.suppressed')).toBe(true);
  });

  it('a sample finding, even on an exempt resource: never pages', async () => {
    const e = await h.engine();
    const o = (await e.responder.respond(asSample(await h.finding(exemptId)))).outcomes[0]!;
    expect(o.decision.decidedBy).toBe('guardrail:sample');
    expect(e.notifier.sent).toEqual([]);
  });
});
