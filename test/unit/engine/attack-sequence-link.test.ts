/**
 * Attack sequences: every resource and actor of a sequence gets its own incident (its own playbook), each carrying the
 * sequence id; a component finding's incident is linked through `associatedAttackSequenceArn`; `incidents` groups
 * them and `show` lists the others. Observe mode: no AWS call is made (the endpoint is unreachable on purpose).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentRecord } from '../../../src/journal/journal.js';
import { runCli } from '../../support/run-cli.js';

const SEQUENCE = 'samples/synthesized/AttackSequence-EC2-CompromisedInstanceGroup.gpu-fleet.SYNTHESIZED.json';
const SEQUENCE_ID = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const MINING = 'samples/synthesized/CryptoCurrency-EC2-BitcoinTool.B-DNS.gpu-p4d.SYNTHESIZED.json';
const TRIMMED = 'samples/events/AttackSequence-IAM-CompromisedCredentials.eventbridge.json';

let dir: string;
const saved = { ...process.env };

async function cli(args: string[], journal = 'journal') {
  return runCli([...args, '--journal-path', join(dir, journal), '--evidence-dir', join(dir, `cases-${journal}`)]);
}

async function incidents(journal = 'journal'): Promise<IncidentRecord[]> {
  const r = await cli(['incidents', '--json'], journal);
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as IncidentRecord[];
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tourniquet-seq-'));
  Object.assign(process.env, { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' });
});
afterAll(() => {
  process.env = saved;
});

describe('attack sequence → one incident per resource and actor, linked', () => {
  it('the synthesized sequence: the sequence, both instances, the actor key and role session, each its own incident with the sequence id', async () => {
    const r = await cli(['respond', SEQUENCE, '--mode', 'observe']);
    expect(r.code).toBe(0);
    const all = await incidents();
    const subjects = all.map((i) => `${i.subjectKind} ${i.subjectId} ${i.playbook}`).sort();
    expect(subjects).toEqual([
      'access-key ASIA3XFRBF23EXAMPLE7 none',
      'attack-sequence seq-4c1f7e2a-9b3d-4e5f-8a6b-7c8d9e0f1a2b none',
      'ec2-instance i-0f1e2d3c4b5a69788 ec2-instance',
      'ec2-instance i-0f1e2d3c4b5a69799 ec2-instance',
      'iam-role-session AROA3XFRBF23EXAMPLE1:i-0f1e2d3c4b5a69788 iam-role-session',
    ]);
    expect(new Set(all.map((i) => i.attackSequenceId))).toEqual(new Set([SEQUENCE_ID]));

    const list = await cli(['incidents']);
    const lines = list.out.trimEnd().split('\n');
    expect(lines[0]).toBe(`attack sequence ${SEQUENCE_ID} (5 incidents):`);
    expect(lines.slice(1)).toHaveLength(5);
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {2}inc-/);

    const only = await cli(['incidents', '--sequence', SEQUENCE_ID, '--json']);
    expect((JSON.parse(only.out) as unknown[]).length).toBe(5);
    const none = await cli(['incidents', '--sequence', 'another-sequence']);
    expect(none.out).toBe('no incidents\n');

    const node4 = all.find((i) => i.subjectId === 'i-0f1e2d3c4b5a69799')!;
    const show = await cli(['show', node4.incidentId]);
    expect(show.code).toBe(0);
    expect(show.out).toContain(`  attack sequence ${SEQUENCE_ID}: 4 other incidents\n`);
    for (const other of all.filter((i) => i.incidentId !== node4.incidentId)) expect(show.out).toContain(`    ${other.incidentId}  `);
    expect(show.out).not.toContain(`    ${node4.incidentId}  `);
    expect(show.out).toContain(`linked to attack sequence ${SEQUENCE_ID}`);
    const json = JSON.parse((await cli(['show', node4.incidentId, '--json'])).out) as { attackSequence: string[] };
    expect(json.attackSequence.sort()).toEqual(all.filter((i) => i.incidentId !== node4.incidentId).map((i) => i.incidentId).sort());
  });

  it('a component finding first (associatedAttackSequenceArn): its incident is linked, and the sequence joins the same incident', async () => {
    expect((await cli(['respond', MINING, '--mode', 'observe'], 'component')).code).toBe(0);
    const [mining] = await incidents('component');
    expect(mining!.attackSequenceId).toBe(SEQUENCE_ID);
    expect((await cli(['respond', SEQUENCE, '--mode', 'observe'], 'component')).code).toBe(0);
    const all = await incidents('component');
    expect(all).toHaveLength(5);
    const node3 = all.filter((i) => i.subjectId === 'i-0f1e2d3c4b5a69788');
    expect(node3.map((i) => i.incidentId)).toEqual([mining!.incidentId]);
    expect(node3[0]!.occurrences).toBe(2);
    expect(all.every((i) => i.attackSequenceId === SEQUENCE_ID)).toBe(true);
  });

  it('a trimmed sequence without detection details: the sequence alone is recorded, linked to itself', async () => {
    expect((await cli(['respond', TRIMMED, '--mode', 'observe'], 'trimmed')).code).toBe(0);
    const all = await incidents('trimmed');
    expect(all.map((i) => [i.subjectKind, i.attackSequenceId])).toEqual([['attack-sequence', '8c258d654378414b9bc26f61a93eb816']]);
  });

  it('a finding outside any sequence gets no link and lists as before', async () => {
    expect((await cli(['respond', 'samples/events/CryptoCurrency-EC2-BitcoinTool.B-DNS.lab39.eventbridge.json', '--mode', 'observe'], 'plain')).code).toBe(0);
    const [one] = await incidents('plain');
    expect(one!.attackSequenceId).toBeUndefined();
    const list = await cli(['incidents'], 'plain');
    expect(list.out).toMatch(/^inc-\S+ {2}observed/);
  });
});
