/**
 * The compiled policy (what the deploy uploads and the Lambda reads without the YAML parser): compile → read gives
 * back the policy `parsePolicy` produced, field for field; anything else is a PolicyError naming the JSON path and
 * the value received.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../src/errors.js';
import { builtInPolicy } from '../../../src/policy/built-in-policy.js';
import { compilePolicy, isCompiledPolicy, readCompiledPolicy } from '../../../src/policy/compiled-policy.js';
import { parsePolicy } from '../../../src/policy/load-policy.js';
import type { Policy } from '../../../src/policy/policy.js';

const EXAMPLES = new URL('../../../examples/', import.meta.url);

/** Every optional field of the normalized policy present at least once (and a warning with its line). */
const EVERY_FIELD = `version: 1
defaults: { mode: observe }
guardrails:
  exemptTag: { key: keep, value: "yes" }
  protectedPrincipals: ["arn:aws:iam::*:role/BreakGlass"]
  protectedAccounts: ["111122223333"]
  budget: { perAccountPerHour: 3 }
  breaker: { findings: 4, withinMinutes: 30 }
  actOnArchived: true
rules:
  - name: everything
    description: every criterion
    match:
      type: ["CryptoCurrency:EC2/", "Backdoor:EC2/*"]
      severity: { min: 4, max: 9.5, band: [high, Critical] }
      subject: [ec2-instance]
      ai: true
      tags: { team: "ml*" }
      notTags: { environment: "prod*" }
      accounts: ["1111*"]
      regions: ["us-*"]
      resourceRole: [TARGET]
    playbook: ec2-instance
    mode: contain
    steps: { stop-instance: auto-approve, nacl-cut: skip, no-such-step: require-approval }
    options: { isolationSettleSeconds: 5, autoScalingMethod: detach }
  - name: catch-all
    match: { ai: false }
`;

function roundTrip(policy: Policy, source = policy.source): Policy {
  const text = compilePolicy(policy);
  expect(isCompiledPolicy(text)).toBe(true);
  return readCompiledPolicy(text, source);
}

function issuesOf(text: string): PolicyError['issues'] {
  try {
    readCompiledPolicy(text, 's3://b/config/p.json');
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).file).toBe('s3://b/config/p.json');
    return (err as PolicyError).issues;
  }
  throw new Error('expected a PolicyError');
}

/** The compiled text of the every-field policy, with `edit` applied to its parsed JSON. */
function edited(edit: (doc: { tourniquetCompiledPolicy: unknown; policy: Record<string, unknown> & { rules: Array<Record<string, unknown>> } }) => void): string {
  const doc = JSON.parse(compilePolicy(parsePolicy(EVERY_FIELD, 'p.yaml'))) as Parameters<typeof edit>[0];
  edit(doc);
  return JSON.stringify(doc);
}

describe('compiled policy: compile → read', () => {
  it('gives back the built-in policy', () => {
    expect(roundTrip(builtInPolicy())).toStrictEqual(builtInPolicy());
  });

  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
  it('covers the example policy files', () => expect(files.length).toBeGreaterThanOrEqual(2));
  it.each(files)('gives back examples/%s as parsePolicy reads it', (file) => {
    const parsed = parsePolicy(readFileSync(new URL(file, EXAMPLES), 'utf8'), `examples/${file}`);
    expect(roundTrip(parsed)).toStrictEqual(parsed);
  });

  it('gives back every optional field (options, steps, severity bands, tags, warnings with lines)', () => {
    const parsed = parsePolicy(EVERY_FIELD, 'p.yaml');
    expect(parsed.warnings.length).toBeGreaterThan(0); // no-such-step
    expect(parsed.rules[0]!.options).toBeDefined();
    expect(roundTrip(parsed)).toStrictEqual(parsed);
  });

  it('records the source it is read from, and is frozen like a parsed policy', () => {
    const p = roundTrip(parsePolicy(EVERY_FIELD, 'p.yaml'), 's3://findings/config/tourniquet-policy-0123.json');
    expect(p.source).toBe('s3://findings/config/tourniquet-policy-0123.json');
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.rules[0]!.match.tags[0])).toBe(true);
    expect(Object.isFrozen(p.rules[0]!.options!.values)).toBe(true);
  });

  it('isCompiledPolicy tells compiled text from a YAML policy file', () => {
    expect(isCompiledPolicy(compilePolicy(builtInPolicy()))).toBe(true);
    expect(isCompiledPolicy('  {"tourniquetCompiledPolicy": 1, "policy": {}}')).toBe(true);
    expect(isCompiledPolicy(readFileSync(new URL('tourniquet.yaml', EXAMPLES), 'utf8'))).toBe(false);
    expect(isCompiledPolicy('{ version: 1 }')).toBe(false); // YAML flow mapping
    expect(isCompiledPolicy('version: 1\n')).toBe(false);
  });
});

describe('compiled policy: malformed input', () => {
  it('text that is not JSON', () => {
    expect(issuesOf('{"tourniquetCompiledPolicy": 1, ')).toEqual([{ path: '(json)', message: expect.stringMatching(/^not a compiled policy: /) }]);
  });

  it('a wrong format version or a missing marker', () => {
    expect(issuesOf(edited((d) => (d.tourniquetCompiledPolicy = 2)))).toEqual([
      { path: 'tourniquetCompiledPolicy', message: expect.stringMatching(/^expected 1 \(the compiled-policy format this responder reads.*received number 2$/) },
    ]);
    expect(issuesOf(JSON.stringify({ policy: JSON.parse(compilePolicy(builtInPolicy())).policy }))).toEqual([
      { path: 'tourniquetCompiledPolicy', message: expect.stringMatching(/^missing: expected 1 /) },
    ]);
    expect(issuesOf('[]')).toEqual([{ path: '(root)', message: 'expected a compiled policy (a JSON object), received array of 0' }]);
  });

  it('a bad mode, override, subject kind or severity band, with the value received', () => {
    const text = edited((d) => {
      d.policy['defaults'] = { mode: 'enforce' };
      const r = d.policy.rules[0]!;
      r['steps'] = { 'stop-instance': 'auto' };
      (r['match'] as Record<string, unknown>)['subject'] = ['ec2'];
      (r['match'] as { severity: { band: string[] } }).severity.band = ['high'];
    });
    expect(issuesOf(text)).toEqual([
      { path: 'policy.defaults.mode', message: 'expected one of "observe", "approve", "contain", received string "enforce"' },
      { path: 'policy.rules[0].match.severity.band[0]', message: 'expected one of "Low", "Medium", "High", "Critical", received string "high"' },
      { path: 'policy.rules[0].match.subject[0]', message: expect.stringMatching(/^expected one of "ec2-instance", .*, received string "ec2"$/) },
      { path: 'policy.rules[0].steps.stop-instance', message: 'expected one of "skip", "require-approval", "auto-approve", received string "auto"' },
    ]);
  });

  it('an unknown key, anywhere', () => {
    expect(issuesOf(edited((d) => (d.policy['extra'] = 1)))).toEqual([{ path: 'policy.extra', message: 'unknown key "extra"' }]);
    expect(issuesOf(edited((d) => (d.policy.rules[0]!['match'] = { ...(d.policy.rules[0]!['match'] as object), typ: ['x'] })))).toEqual([
      { path: 'policy.rules[0].match.typ', message: 'unknown key "typ"' },
    ]);
  });

  it('a value of the wrong type, or a missing field', () => {
    const text = edited((d) => {
      (d.policy['guardrails'] as { budget: unknown }).budget = { perAccountPerHour: '5' };
      d.policy.rules[0]!['name'] = 7;
      delete d.policy.rules[0]!['match'];
    });
    expect(issuesOf(text)).toEqual([
      { path: 'policy.guardrails.budget.perAccountPerHour', message: 'expected a whole number ≥ 0, received string "5"' },
      { path: 'policy.rules[0].name', message: 'expected a string, received number 7' },
      { path: 'policy.rules[0].match', message: 'missing: expected an object' },
    ]);
  });

  it('ignoreSamples cannot be false; a step id must be one', () => {
    const text = edited((d) => {
      (d.policy['guardrails'] as { ignoreSamples: unknown }).ignoreSamples = false;
      d.policy.rules[0]!['steps'] = { 'Stop Instance': 'skip' };
    });
    expect(issuesOf(text)).toEqual([
      { path: 'policy.guardrails.ignoreSamples', message: 'must be true, received boolean false' },
      { path: 'policy.rules[0].steps.Stop Instance', message: 'expected a step id, received key string "Stop Instance"' },
    ]);
  });

  it('a __proto__ key is refused (JSON.parse keeps it as an own key)', () => {
    const text = compilePolicy(parsePolicy(EVERY_FIELD, 'p.yaml')).replace('"isolationSettleSeconds"', '"__proto__": {"polluted": true}, "isolationSettleSeconds"');
    expect(issuesOf(text)).toEqual([{ path: 'policy.rules[0].options.values.__proto__', message: 'unsupported key "__proto__"' }]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
