/**
 * Release after a crash (issue 7, item 3), against moto_server with the state read back: a step left `running` or
 * `failed` after its change landed is restored from its journaled pre-image; restores are idempotent (release again
 * after an interrupted release); what cannot be restored makes the incident `release-partial` and the CLI exit 1,
 * listing it. A crash is simulated two ways: a responder frozen right after its AWS change (the journal state a crash
 * leaves, deterministically), and a real `tourniquet respond` process killed with SIGKILL in the middle of its plan.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AnyAction } from '../../src/actions/action.js';
import { getAction } from '../../src/actions/registry.js';
import { main } from '../../src/cli/main.js';
import { startFaultProxy, type FaultProxy } from '../../src/drill/fault-proxy.js';
import type { SeededFleet } from '../../src/drill/seed-gpu-fleet.js';
import { TourniquetError } from '../../src/errors.js';
import type { Journal, StepRecord } from '../../src/journal/journal.js';
import { openJournal } from '../../src/journal/open-journal.js';
import { startHarness, type Harness } from '../support/engine-harness.js';

let h: Harness;
let dir: string;
const journals: Journal[] = [];
beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'tourniquet-crash-'));
});
afterAll(async () => {
  for (const j of journals) await j.close();
  await h?.close();
});

/** A journal table on moto's DynamoDB: shared with CLI runs and other processes (no embedded-journal lock). */
async function motoJournal(tableName: string): Promise<Journal> {
  const journal = await openJournal({ endpoint: h.moto.endpoint, tableName, region: 'us-east-1' });
  journals.push(journal);
  return journal;
}

/**
 * Actions that apply their real change and then never return: the responder is frozen exactly where a crash
 * (kill -9, a Lambda timeout) leaves the journal — the step `running` with its pre-image, the change made in AWS.
 */
function freezeAfterApply(actionNames: readonly string[]): { getAction: (name: string) => AnyAction; applied: Promise<void> } {
  const applied = new Set<string>();
  let allApplied!: () => void;
  const done = new Promise<void>((resolve) => (allApplied = resolve));
  return {
    applied: done,
    getAction: (name) => {
      const real = getAction(name);
      if (!actionNames.includes(name)) return real;
      return {
        ...real,
        apply: async (input: never, pre: never, ctx: never) => {
          await real.apply(input, pre, ctx);
          applied.add(name);
          if (applied.size === actionNames.length) allApplied();
          return new Promise<never>(() => undefined);
        },
      };
    },
  };
}

async function stepsById(journal: Journal, incidentId: string): Promise<Record<string, StepRecord>> {
  return Object.fromEntries((await journal.getSteps(incidentId)).map((s) => [s.stepId, s]));
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Freezes a contain-mode responder after the session deny and IMDSv2 changes landed; returns the incident. */
async function crashMidContainment(fleet: SeededFleet, journal: Journal): Promise<string> {
  const frozen = freezeAfterApply(['iam.deny-instance-session', 'ec2.enforce-imdsv2']);
  const crashed = await h.engine({ journal, getAction: frozen.getAction, runnerId: 'crashed-responder' });
  void crashed.responder.respond(await h.finding(fleet.targetInstanceId));
  await frozen.applied;
  const [incident] = await journal.listIncidents();
  return incident!.incidentId;
}

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const capture = (c: string | Uint8Array): boolean => {
    chunks.push(String(c));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void chunks.push(`${a.join(' ')}\n`));
  try {
    return { code: await main(args), out: chunks.join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
    log.mockRestore();
  }
}

describe('release after a crash', () => {
  it('restores steps left running after their change landed (session deny, IMDSv2) and cancels what never started; the CLI exits 0', async () => {
    const table = 'crash-running';
    const journal = await motoJournal(table);
    const fleet = await h.seed('crash-running');
    const before = await h.state(fleet);
    const incidentId = await crashMidContainment(fleet, journal);

    // The journal a crash leaves, read back: both steps running with their pre-image, and the changes in AWS.
    const crashedSteps = await stepsById(journal, incidentId);
    for (const id of ['deny-instance-session', 'enforce-imdsv2']) {
      expect(crashedSteps[id]).toMatchObject({ status: 'running', leaseOwner: expect.stringMatching(/^crashed-responder~/) as string });
      expect(crashedSteps[id]!.preImage).toBeDefined();
    }
    expect(crashedSteps['preserve-instance']!.status).toBe('done');
    expect(crashedSteps['replace-instance-profile']!.status).toBe('planned');
    const contained = await h.state(fleet);
    expect(contained.httpTokens).toBe('required');
    expect(contained.roleInlinePolicies.some((p) => p.includes(fleet.targetInstanceId))).toBe(true);
    expect(contained.terminationProtection).toBe(true);

    // Another process releases, after the crash.
    process.env.AWS_ENDPOINT_URL = h.moto.endpoint;
    let release: { code: number; out: string };
    try {
      release = await cli('release', incidentId, '--reason', 'false positive', '--by', 'dana', '--journal-table', table, '--evidence-dir', join(dir, 'cases'));
    } finally {
      delete process.env.AWS_ENDPOINT_URL;
    }
    expect(release.code).toBe(0);
    expect(release.out).toContain(`incident ${incidentId}: released`);
    const restored = /restored: (.*)/.exec(release.out)![1]!.split(', ');
    expect(restored).toEqual(expect.arrayContaining(['deny-instance-session', 'enforce-imdsv2', 'preserve-instance', 'isolate-network', 'tag-instance']));
    expect(/cancelled \(were waiting, or had not changed anything yet\): (.*)/.exec(release.out)![1]!.split(', ')).toEqual(expect.arrayContaining(['replace-instance-profile', 'stop-instance']));
    expect(release.out).toContain('kept snapshot-volumes: evidence is kept');
    expect(release.out).not.toContain('NOT restored');
    // The frozen responder's lease is still live: the person releasing is told it may still act.
    expect(release.out).toContain('note: deny-instance-session was running under a lease held by crashed-responder');

    expect(await h.state(fleet)).toEqual(before);
    const after = await stepsById(journal, incidentId);
    expect(after['deny-instance-session']!.status).toBe('released');
    expect(after['enforce-imdsv2']!.status).toBe('released');
    expect(after['replace-instance-profile']!.status).toBe('denied');
    expect((await journal.getIncident(incidentId))?.status).toBe('released');
    expect((await journal.listEvents(incidentId)).some((e) => e.type === 'step.released' && e.message.startsWith('enforce-imdsv2 (running)'))).toBe(true);
  });

  it('restores a step that failed after its change landed (the state read back did not hold)', async () => {
    const fleet = await h.seed('crash-failed');
    const before = await h.state(fleet);
    const verifyFails = (name: string): AnyAction => {
      const real = getAction(name);
      if (name !== 'ec2.preserve-instance') return real;
      return { ...real, verify: () => Promise.resolve({ holds: false, detail: 'termination protection reads back off' }) };
    };
    const { responder, journal } = await h.engine({ getAction: verifyFails, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
    const o = (await responder.respond(await h.finding(fleet.targetInstanceId))).outcomes[0]!;
    const failed = o.steps.find((s) => s.stepId === 'preserve-instance')!;
    expect(failed.status).toBe('failed');
    expect(failed.error?.name).toBe('VerificationError');
    expect((await h.state(fleet)).terminationProtection).toBe(true); // applied, although the step failed

    const result = await responder.release(o.incidentId, { by: 'dana', reason: 'drill over' });
    expect(result.incident.status).toBe('released');
    expect(result.released).toContain('preserve-instance');
    expect(await h.state(fleet)).toEqual(before);
    expect((await stepsById(journal, o.incidentId))['preserve-instance']!.status).toBe('released');
  });

  it('releasing again after an interrupted release restores idempotently; a released incident is not released twice', async () => {
    const fleet = await h.seed('release-twice');
    const before = await h.state(fleet);
    const { responder, journal } = await h.engine();
    const o = (await responder.respond(await h.finding(fleet.targetInstanceId))).outcomes[0]!;
    expect(o.status).toBe('contained');

    // The first release is interrupted right after the IMDSv2 and session-deny restores landed in AWS.
    const interrupted = (name: string): AnyAction => {
      const real = getAction(name);
      if (name !== 'ec2.enforce-imdsv2' && name !== 'iam.deny-instance-session') return real;
      return {
        ...real,
        release: async (input: never, pre: never, out: never, ctx: never) => {
          await real.release!(input, pre, out, ctx);
          throw Object.assign(new Error('connection reset after the restore was applied'), { name: 'Interrupted' });
        },
      };
    };
    const first = await (await h.engine({ journal, getAction: interrupted })).responder.release(o.incidentId, { by: 'dana', reason: 'false positive' });
    expect(first.incident.status).toBe('release-failed');
    expect(first.failed.map((f) => f.stepId).sort()).toEqual(['deny-instance-session', 'enforce-imdsv2']);
    const midway = await h.state(fleet);
    expect(midway.httpTokens).toBe(before.httpTokens); // the restores did land
    expect(midway.roleInlinePolicies).toEqual(before.roleInlinePolicies);

    // Release again: the restores run again on state that is already restored, and change nothing more.
    const second = await responder.release(o.incidentId, { by: 'dana', reason: 'false positive, retried' });
    expect(second.incident.status).toBe('released');
    expect(second.released.sort()).toEqual(['deny-instance-session', 'enforce-imdsv2']);
    expect(second.failed).toEqual([]);
    expect(await h.state(fleet)).toEqual(before);
    const steps = await stepsById(journal, o.incidentId);
    expect(steps['enforce-imdsv2']!.releaseOutput).toMatchObject({ action: 'none' });

    const third = await responder.release(o.incidentId, { by: 'dana', reason: 'once more' }).catch((e: unknown) => e);
    expect(third).toBeInstanceOf(TourniquetError);
    expect((third as TourniquetError).code).toBe('incident.released');
    expect(await h.state(fleet)).toEqual(before);
  });

  it('CLI: a step that may have changed something with no pre-image makes the incident release-partial and exit 1, listing it', async () => {
    const table = 'partial-cli';
    const journal = await motoJournal(table);
    process.env.AWS_ENDPOINT_URL = h.moto.endpoint;
    try {
      const common = ['--journal-table', table, '--evidence-dir', join(dir, 'cases')];
      // A done step whose pre-image is not in the journal (a journal edited, or written by something else).
      const other = await h.seed('partial-cli');
      const otherBefore = await h.state(other);
      const { responder } = await h.engine({ journal });
      const o = (await responder.respond(await h.finding(other.targetInstanceId))).outcomes[0]!;
      expect(o.status).toBe('contained');
      const ddb = new DynamoDBClient({ endpoint: h.moto.endpoint, region: 'us-east-1' });
      await ddb.send(new UpdateItemCommand({ TableName: table, Key: { pk: { S: `INC#${o.incidentId}` }, sk: { S: 'STEP#preserve-instance' } }, UpdateExpression: 'REMOVE preImage' }));

      const partial = await cli('release', o.incidentId, '--reason', 'false positive', '--by', 'erin', ...common);
      expect(partial.code).toBe(1);
      expect(partial.out).toContain(`incident ${o.incidentId}: release-partial`);
      expect(partial.out).toContain('NOT restored preserve-instance: done, but no pre-image was journaled');
      const left = await h.state(other);
      expect(left.terminationProtection).toBe(true); // left in place, and said so
      expect({ ...left, terminationProtection: otherBefore.terminationProtection, shutdownBehavior: otherBefore.shutdownBehavior }).toEqual(otherBefore);

      const listed = await cli('incidents', '--status', 'release-partial', ...common);
      expect(listed.code).toBe(0);
      expect(listed.out).toContain(o.incidentId);
      const shown = await cli('show', o.incidentId, ...common);
      expect(shown.out).toContain(`incident ${o.incidentId}  release-partial`);
      expect(shown.out).toMatch(/release +release-partial by erin: false positive; restored .*; preserve-instance not restored/);

      // Releasing a partially released incident again is allowed, changes nothing more, and says the same.
      const again = await cli('release', o.incidentId, '--reason', 'retry', '--by', 'erin', ...common);
      expect(again.code).toBe(1);
      expect(again.out).toContain('restored: (nothing had changed)');
      expect(again.out).toContain('NOT restored preserve-instance');
      expect(await h.state(other)).toEqual(left);
    } finally {
      delete process.env.AWS_ENDPOINT_URL;
    }
  });
});

describe('release after a real crash (kill -9)', () => {
  let proxy: FaultProxy | undefined;
  afterAll(async () => {
    await proxy?.close();
  });

  it('a `tourniquet respond` process killed mid-plan leaves a journal that release fully restores', async () => {
    const table = 'crash-kill';
    const journal = await motoJournal(table);
    const fleet = await h.seed('crash-kill');
    const before = await h.state(fleet);
    // Every AWS call of the killed process takes 150 ms more, so the kill lands inside the plan, not after it.
    proxy = await startFaultProxy({ upstream: h.moto.endpoint, rules: [{ name: 'slow', fault: { kind: 'latency', ms: 150 } }] });
    const findingFile = join(dir, 'kill-finding.json');
    await writeFile(findingFile, JSON.stringify((await h.finding(fleet.targetInstanceId)).raw));
    const child = spawn(
      process.execPath,
      ['bin/tourniquet.js', 'respond', findingFile, '--mode', 'contain', '--journal-table', table, '--evidence-dir', join(dir, 'kill-cases')],
      { env: { ...process.env, AWS_ENDPOINT_URL: proxy.endpoint }, stdio: 'ignore' },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // Kill it as soon as a mutating step has journaled its pre-image and is running.
    const incidentId = await waitFor('a running step with a pre-image', 60_000, async () => {
      const [incident] = await journal.listIncidents();
      if (!incident) return undefined;
      const steps = await journal.getSteps(incident.incidentId);
      return steps.some((s) => s.status === 'running' && s.preImage !== undefined) ? incident.incidentId : undefined;
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const crashedSteps = await journal.getSteps(incidentId);
    expect(crashedSteps.some((s) => s.status === 'running')).toBe(true);
    expect((await journal.getIncident(incidentId))?.status).not.toBe('contained');

    const { responder } = await h.engine({ journal });
    const result = await responder.release(incidentId, { by: 'dana', reason: 'after kill -9' });
    expect(result.incident.status).toBe('released');
    expect(result.failed).toEqual([]);
    expect(result.left).toEqual([]);
    expect(await h.state(fleet)).toEqual(before);
    const after = await journal.getSteps(incidentId);
    expect(after.filter((s) => s.status === 'running')).toEqual([]);
  }, 150_000);
});
