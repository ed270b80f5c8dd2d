/**
 * Property: over findings mutated at random paths (deleted, nulled, replaced by any JSON value, wrong types, hostile
 * keys, long strings), the parser only ever returns a record or throws FindingParseError, a batch accounts for every
 * input, and the input is never modified (deep-compared with a structuredClone taken before).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FindingParseError } from '../../../src/errors.js';
import { parseDocument, parseRecord } from '../../../src/findings/read-input.js';
import { accessKeyFinding, cliFinding, event, finding, instanceDetails, type JsonObj } from './finding-fixtures.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type PathSeg = string | number;

const BASES: Array<[string, JsonObj]> = [
  ['ec2 event', event(finding())],
  ['ec2 bare', finding({}, { resourceType: 'Instance', instanceDetails: instanceDetails({ instanceType: 'p4d.24xlarge', tags: [{ key: 'ai-workload', value: 'yes' }] }) })],
  ['assumed role', accessKeyFinding({ accessKeyId: 'ASIA1', principalId: 'AROA1:i-0123456789abcdef0', userName: 'r', userType: 'AssumedRole' }, {}, { instanceDetails: instanceDetails() })],
  ['ai protection', accessKeyFinding({ accessKeyId: 'AKIA1', userName: 'u', userType: 'IAMUser' }, { type: 'Impact:IAMUser/CostHarvesting' }, { modelDetails: [{ modelId: 'm1' }], bedrockGuardrailDetails: { guardrails: [{ arn: 'g' }] } })],
  ['s3', finding({ type: 'Object:S3/MaliciousFile' }, { resourceType: 'S3Object', s3BucketDetails: [{ name: 'b', createdAt: 1513612691.5, tags: [{ key: 'k', value: 'v' }], s3ObjectDetails: [{ key: 'k.pt', eTag: 'e' }] }] })],
  [
    'eks',
    finding(
      { type: 'Execution:Kubernetes/ExecInKubeSystemPod' },
      { resourceType: 'EKSCluster', eksClusterDetails: { name: 'c', createdAt: 1 }, kubernetesDetails: { kubernetesWorkloadDetails: { name: 'w', namespace: 'n', containers: [{ image: 'vllm' }] }, kubernetesUserDetails: { username: 'u', groups: ['g'] } } },
    ),
  ],
  [
    'ecs',
    finding(
      { type: 'Impact:Runtime/CryptoMinerExecuted' },
      { resourceType: 'ECSCluster', ecsClusterDetails: { arn: 'arn:c', taskDetails: { arn: 'arn:t', containers: [{ name: 'x', image: 'y' }] } }, containerDetails: { id: 'c1' } },
    ),
  ],
  ['lambda', finding({ type: 'CryptoCurrency:Lambda/BitcoinTool.B' }, { resourceType: 'Lambda', lambdaDetails: { functionName: 'f', vpcConfig: { securityGroups: [{ groupId: 's' }] } } })],
  ['rds', finding({ type: 'CredentialAccess:RDS/TorIPCaller.SuccessfulLogin' }, { resourceType: 'RDSDBInstance', rdsDbInstanceDetails: { dbInstanceIdentifier: 'd' }, rdsDbUserDetails: { user: 'u' } })],
  [
    'attack sequence',
    finding(
      { type: 'AttackSequence:EC2/CompromisedInstanceGroup', service: { detection: { sequence: { uid: 's', actors: [{ id: 'a', user: { name: 'n' } }], resources: [{ uid: 'i-1', resourceType: 'EC2_INSTANCE', data: { ec2Instance: { instanceType: 'g5.xlarge', ec2NetworkInterfaceUids: ['eni-1'] } } }, { uid: 'eni-1', resourceType: 'EC2_NETWORK_INTERFACE', data: { ec2NetworkInterface: { securityGroups: [{ groupId: 'sg' }] } } }, { uid: 'AKIA', resourceType: 'ACCESS_KEY', data: { accessKey: { userType: 'IAMUser', userName: 'u' } } }], signals: [{ uid: 's1', firstSeenAt: 1 }] } } } },
      { resourceType: 'AttackSequence' },
    ),
  ],
  ['cli', { Findings: [cliFinding()] }],
  [
    'scan result',
    event({ scanStatus: 'COMPLETED', resourceType: 'S3_OBJECT', s3ObjectDetails: { bucketName: 'b', objectKey: 'k' }, scanResultDetails: { scanResultStatus: 'THREATS_FOUND', threats: [{ name: 't' }] } }, 'GuardDuty Malware Protection Object Scan Result'),
  ],
];

/** Every path to a value inside `v` (objects and arrays), root excluded. */
function paths(v: Json, prefix: PathSeg[] = [], out: PathSeg[][] = []): PathSeg[][] {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push([...prefix, i]);
      paths(x, [...prefix, i], out);
    });
  } else if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) {
      out.push([...prefix, k]);
      paths(v[k]!, [...prefix, k], out);
    }
  }
  return out;
}

type Op = { kind: 'delete' } | { kind: 'null' } | { kind: 'set'; value: Json } | { kind: 'proto'; value: Json } | { kind: 'long' };

function setOwn(obj: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function apply(root: Json, path: PathSeg[], original: Op): void {
  // Insert copies: fast-check may hand the same value object to several operations, which would build cycles.
  const op: Op = original.kind === 'set' || original.kind === 'proto' ? { ...original, value: structuredClone(original.value) } : original;
  let parent: Json = root;
  for (const seg of path.slice(0, -1)) parent = (parent as Record<string, Json>)[seg as string]!;
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const i = last as number;
    if (op.kind === 'delete') parent.splice(i, 1);
    else if (op.kind === 'null') parent[i] = null;
    else if (op.kind === 'long') parent[i] = 'L'.repeat(100_000);
    else if (op.kind === 'proto') parent[i] = JSON.parse(`{"__proto__": ${JSON.stringify(op.value)}, "constructor": {"prototype": 1}}`) as Json;
    else parent[i] = op.value;
  } else if (parent !== null && typeof parent === 'object') {
    const key = last as string;
    if (op.kind === 'delete') delete parent[key];
    else if (op.kind === 'null') setOwn(parent, key, null);
    else if (op.kind === 'long') setOwn(parent, key, 'L'.repeat(100_000));
    else if (op.kind === 'proto') setOwn(parent, '__proto__', op.value);
    else setOwn(parent, key, op.value);
  }
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ kind: 'delete' }),
  fc.constant<Op>({ kind: 'null' }),
  fc.constant<Op>({ kind: 'long' }),
  fc.jsonValue({ maxDepth: 2 }).map((value): Op => ({ kind: 'set', value: value as Json })),
  fc.constantFrom<Json>('', 'high', -1, 0, 1e308, true, [], {}, [1, 'x'], { key: 1 }).map((value): Op => ({ kind: 'set', value })),
  fc.jsonValue({ maxDepth: 1 }).map((value): Op => ({ kind: 'proto', value: value as Json })),
);

const caseArb = fc.tuple(fc.integer({ min: 0, max: BASES.length - 1 }), fc.array(fc.tuple(fc.nat(), opArb), { minLength: 1, maxLength: 4 }));

function mutate([baseIndex, ops]: [number, Array<[number, Op]>]): Json {
  const value = structuredClone(BASES[baseIndex]![1]) as Json;
  for (const [n, op] of ops) {
    const all = paths(value);
    if (all.length === 0) break;
    apply(value, all[n % all.length]!, op);
  }
  return value;
}

/** How many records a parsed value holds: the elements of an array or finding list, else one. */
function recordsIn(v: Json): number {
  if (Array.isArray(v)) return v.length;
  if (v !== null && typeof v === 'object' && !['id', 'type', 'Id', 'Type'].some((k) => Object.hasOwn(v, k))) {
    for (const key of ['Findings', 'findings']) {
      const list = v[key];
      if (Array.isArray(list)) return list.length;
    }
  }
  return 1;
}

/** Runs `run`, which must return a record or throw FindingParseError; says which. */
function onlyRecordOrParseError(run: () => unknown): 'record' | 'error' {
  try {
    const r = run() as { kind?: unknown } | undefined;
    expect(['finding', 'malware-scan-result']).toContain(r?.kind);
    return 'record';
  } catch (err) {
    if (!(err instanceof FindingParseError)) throw err;
    expect(err.message.length).toBeLessThan(1_000);
    return 'error';
  }
}

describe('property: mutated findings', () => {
  it('the unmutated bases all parse', () => {
    for (const [name, base] of BASES) {
      const b = parseDocument(JSON.stringify(base), { name });
      expect(b.rejected.map((e) => e.message), name).toEqual([]);
      expect(b.records.length, name).toBe(1);
    }
  });

  it('parseRecord returns a record or throws FindingParseError, and never mutates its input', () => {
    // Every input is checked (a finding list too: parseRecord rejects it with a FindingParseError).
    const seen = { record: 0, error: 0 };
    fc.assert(
      fc.property(caseArb, (c) => {
        const input = mutate(c);
        const before = structuredClone(input);
        seen[onlyRecordOrParseError(() => parseRecord(input, { name: 'prop' }))]++;
        expect(input).toEqual(before);
      }),
      { numRuns: 1500 },
    );
    // Not vacuous: the mutations leave both parseable and broken findings.
    expect(seen.record).toBeGreaterThan(100);
    expect(seen.error).toBeGreaterThan(100);
  });

  it('parseDocument accounts for every record (a record or a rejection) and never throws', () => {
    fc.assert(
      fc.property(fc.array(caseArb, { minLength: 1, maxLength: 4 }), (cases) => {
        const inputs = cases.map(mutate);
        const text = inputs.map((v) => JSON.stringify(v)).join('\n');
        const before = structuredClone(inputs);
        const b = parseDocument(text, { name: 'prop.jsonl' });
        for (const e of b.rejected) expect(e).toBeInstanceOf(FindingParseError);
        // Every record of every line comes out as a record or a rejection: nothing is dropped.
        const outcomes = new Map<number | undefined, number>();
        for (const r of [...b.records, ...b.rejected]) outcomes.set(r.source.line, (outcomes.get(r.source.line) ?? 0) + 1);
        const expected = new Map<number | undefined, number>();
        inputs.forEach((v, i) => {
          const n = recordsIn(v);
          if (n > 0) expected.set(inputs.length > 1 ? i + 1 : undefined, n);
        });
        expect(outcomes).toEqual(expected);
        expect(inputs).toEqual(before);
      }),
      { numRuns: 400 },
    );
  });

  it('truncating a valid document anywhere yields a rejection at $, never an exception', () => {
    const texts = BASES.map(([, v]) => JSON.stringify(v, null, 2));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: texts.length - 1 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (i, frac) => {
        const t = texts[i]!;
        const cut = t.slice(0, Math.floor(t.length * frac));
        const b = parseDocument(cut, { name: 'cut.json' });
        expect(b.records).toEqual([]);
        expect(b.rejected).toHaveLength(1);
        expect(b.rejected[0]!.path).toBe('$');
      }),
      { numRuns: 300 },
    );
  });
});
