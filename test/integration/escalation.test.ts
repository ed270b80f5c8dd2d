/**
 * A worse finding re-decides the incident (examples/tourniquet.yaml, the CLI as a user runs it, against moto_server):
 * an SSH brute force against the instance is only observed (rule inbound-noise: anyone can raise it at will); a
 * crypto-mining finding for the same instance escalates the incident to contain and contains it; the brute force
 * again changes nothing (never de-escalates). The same finding id re-published with a higher severity is a new
 * occurrence too: approve → contain, and the steps that waited for approval run.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildEc2DrillFinding, type Ec2DrillOptions } from '../../src/drill/ec2-finding.js';
import type { SeededFleet } from '../../src/drill/seed-gpu-fleet.js';
import type { Journal } from '../../src/journal/journal.js';
import { openJournal } from '../../src/journal/open-journal.js';
import { ACCOUNT, REGION, isReadOnlyOperation, startHarness, type Harness } from '../support/engine-harness.js';

import { main } from '../../src/cli/main.js';

const EXAMPLE_POLICY = new URL('../../examples/tourniquet.yaml', import.meta.url).pathname;

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'tourniquet-escalation-'));
});
afterAll(async () => {
  await h?.close();
});

/** A drill finding file; `target`: the instance is the victim (inbound), as GuardDuty reports a brute force against it. */
async function findingFile(fleet: SeededFleet, name: string, options: Partial<Ec2DrillOptions> & { target?: boolean }): Promise<string> {
  const d = await h.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [fleet.targetInstanceId] }));
  const raw = buildEc2DrillFinding(d.Reservations![0]!.Instances![0]!, { accountId: ACCOUNT, region: REGION, ...options }) as { service: Record<string, unknown> };
  if (options.target) {
    raw.service.resourceRole = 'TARGET';
    (raw.service.action as { networkConnectionAction: { connectionDirection: string } }).networkConnectionAction.connectionDirection = 'INBOUND';
  }
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(raw));
  return file;
}

async function withJournal<T>(path: string, read: (j: Journal) => Promise<T>): Promise<T> {
  const j = await openJournal({ path });
  try {
    return await read(j);
  } finally {
    await j.close();
  }
}

/** `tourniquet <args>` in this process: exit code, stdout (console.log included) and stderr. */
async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(`${a.join(' ')}\n`));
  try {
    return { code: await main(args), out: out.join(''), err: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    log.mockRestore();
  }
}

describe('a worse finding re-decides the incident', () => {
  it('SSH brute force (observe) → crypto-mining on the same instance escalates to contain; the brute force again changes nothing', async () => {
    const fleet = await h.seed('escalate');
    const before = await h.state(fleet);
    const journalPath = join(dir, 'escalate-journal');
    const common = ['--policy', EXAMPLE_POLICY, '--journal-path', journalPath, '--evidence-dir', join(dir, 'escalate-cases'), '--endpoint', h.moto.endpoint];
    const t0 = new Date('2026-11-28T10:00:00Z');
    const ssh = await findingFile(fleet, 'ssh', { type: 'UnauthorizedAccess:EC2/SSHBruteForce', severity: 5, target: true, now: t0 });
    const crypto = await findingFile(fleet, 'crypto', { now: new Date(t0.getTime() + 60_000) });
    const sshAgain = await findingFile(fleet, 'ssh-again', { type: 'UnauthorizedAccess:EC2/SSHBruteForce', severity: 5, target: true, count: 40, now: new Date(t0.getTime() + 120_000) });

    const first = await runCli(['respond', ssh, ...common]);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('→ new incident');
    expect(first.out).toContain('observe requested → observe (rule:inbound-noise)');
    expect(await h.state(fleet)).toEqual(before); // observed: nothing changed

    const second = await runCli(['respond', crypto, ...common]);
    expect(second.code).toBe(0);
    expect(second.out).toContain('→ worse occurrence: incident escalated');
    const incident = await withJournal(journalPath, async (j) => (await j.listIncidents())[0]!);
    expect(incident.mode).toBe('contain');
    expect(incident.status).toBe('contained');
    // Its headline is now the finding its decision rests on.
    expect([incident.findingType, incident.severity]).toEqual(['CryptoCurrency:EC2/BitcoinTool.B!DNS', 8]);
    const decision = incident.decision;
    expect(decision.decidedBy).toBe('rule:ai-gpu-cryptomining');
    expect(decision.escalation).toMatchObject({ from: 'observe', to: 'contain', findingType: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', decidedBy: 'rule:ai-gpu-cryptomining' });
    // The instance is contained, read back from the emulator.
    const contained = await h.state(fleet, incident.incidentId);
    for (const g of Object.values(contained.groupsByEni)) expect(g).not.toContain(fleet.appSecurityGroupId);
    expect(contained.autoScaling?.lifecycleState).toBe('Standby');
    expect(contained.instanceProfileArn).toBeUndefined();
    expect(contained.httpTokens).toBe('required');
    expect(contained.tags['tourniquet:case']).toBe(incident.incidentId);
    expect(contained.state).toBe('running'); // stop-instance still needs a human (require-approval)

    const third = await runCli(['respond', sshAgain, ...common]);
    expect(third.code).toBe(0);
    expect(third.out).toContain('→ newer occurrence appended (the incident stays as it is)');
    expect(await h.state(fleet, incident.incidentId)).toEqual(contained);

    const shown = await runCli(['show', incident.incidentId, ...common]);
    expect(shown.out).toMatch(
      /occurrences:\n.*UnauthorizedAccess:EC2\/SSHBruteForce \S+ severity 5 count 1: initial: observe \(rule:inbound-noise\)\n.*CryptoCurrency:EC2\/BitcoinTool\.B!DNS \S+ severity 8 count 1: escalated: escalated observe → contain.*\n.*SSHBruteForce \S+ severity 5 count 40: unchanged: /,
    );
    await withJournal(journalPath, async (j) => {
      const now = (await j.getIncident(incident.incidentId))!;
      expect(now.mode).toBe('contain');
      expect(now.occurrences).toBe(3);
      const timeline = (await j.listEvents(incident.incidentId)).filter((e) => ['decision', 'escalation', 'occurrence'].includes(e.type)).map((e) => `${e.type}: ${e.message}`);
      expect(timeline).toEqual([
        'decision: observe (rule:inbound-noise)',
        expect.stringMatching(/^escalation: escalated observe → contain by CryptoCurrency:EC2\/BitcoinTool\.B!DNS [0-9a-f]{32} \(severity 8, count 1; rule:ai-gpu-cryptomining\)$/),
        expect.stringMatching(/^occurrence: occurrence UnauthorizedAccess:EC2\/SSHBruteForce [0-9a-f]{32} \(severity 5, count 40\).*observe \(rule:inbound-noise\) is below the incident's contain: an incident never de-escalates$/),
      ]);
      expect((await j.listOccurrences(incident.incidentId)).map((o) => o.merge?.split(':')[0]).sort()).toEqual(['escalated', 'initial', 'unchanged']);
    });
  });

  it('the same finding re-published with a higher severity: approve → contain, and the steps that waited run', async () => {
    const fleet = await h.seed('escalate-severity');
    const low = await h.finding(fleet.targetInstanceId, { severity: 5, now: new Date('2026-11-28T11:00:00Z') });
    const high = await h.finding(fleet.targetInstanceId, { severity: 8, now: new Date('2026-11-28T11:15:00Z') });
    expect(high.id).toBe(low.id);
    const { responder, journal, calls, notifier } = await h.engine({ policy: await (await import('node:fs/promises')).readFile(EXAMPLE_POLICY, 'utf8') });
    const first = (await responder.respond(low)).outcomes[0]!;
    expect(first).toMatchObject({ handling: 'created', status: 'awaiting-approval', decision: { effectiveMode: 'approve', decidedBy: 'defaults' } });
    expect(first.steps.find((s) => s.stepId === 'tag-instance')?.status).toBe('awaiting-approval');
    const changesBefore = calls.filter((c) => !isReadOnlyOperation(c.operation)).length;
    const second = (await responder.respond(high)).outcomes[0]!;
    expect(second).toMatchObject({ handling: 'escalated', incidentId: first.incidentId, status: 'contained', decision: { effectiveMode: 'contain', escalation: { from: 'approve', to: 'contain', severity: 8 } } });
    expect(second.steps.find((s) => s.stepId === 'isolate-network')?.status).toBe('done');
    // People are told, about the finding that escalated it.
    expect(notifier.sent.at(-1)).toMatchObject({ incidentId: first.incidentId, reason: 'escalated', severity: 8, mode: 'contain', status: 'contained' });
    expect(calls.filter((c) => !isReadOnlyOperation(c.operation)).length).toBeGreaterThan(changesBefore);
    // Budget charged once for the escalation to contain: one containment this hour in the account.
    expect(second.decision.verdicts.find((v) => v.guardrail === 'budget')?.reason).toMatch(/^0 of 5 containments used/);
    const state = await h.state(fleet, first.incidentId);
    for (const g of Object.values(state.groupsByEni)) expect(g).not.toContain(fleet.appSecurityGroupId);
    // The low one again: a re-delivery of a finished plan does nothing but the live reads before deciding — the
    // exemption tag (DescribeInstances) and the profile's roles (GetInstanceProfile) — which come before the journal
    // says it is a duplicate.
    const callsBefore = calls.length;
    const again = (await responder.respond(low)).outcomes[0]!;
    expect(again.handling).toBe('duplicate');
    expect(calls.slice(callsBefore).map((c) => c.operation).sort()).toEqual(['DescribeInstances', 'GetInstanceProfile']);
    expect((await journal.getIncident(first.incidentId))?.mode).toBe('contain');
  });
});
