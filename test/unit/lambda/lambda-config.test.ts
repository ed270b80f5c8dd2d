/** The Lambda environment: defaults, and a refusal that names the variable and the value received. */
import { describe, expect, it } from 'vitest';
import { TourniquetError } from '../../../src/errors.js';
import { readLambdaConfig } from '../../../src/lambda/lambda-config.js';

const base = { TOURNIQUET_JOURNAL_TABLE: 'tourniquet-journal', TOURNIQUET_EVIDENCE_BUCKET: 'tourniquet-evidence' };

function refused(env: NodeJS.ProcessEnv): TourniquetError {
  try {
    readLambdaConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(TourniquetError);
    expect((err as TourniquetError).code).toBe('lambda.config');
    return err as TourniquetError;
  }
  throw new Error('expected the environment to be refused');
}

describe('readLambdaConfig', () => {
  it('applies the defaults', () => {
    expect(readLambdaConfig({ ...base })).toEqual({
      ...base,
      TOURNIQUET_EVIDENCE_PREFIX: 'cases/',
      TOURNIQUET_QUARANTINE_PREFIX: 'quarantine/',
      TOURNIQUET_ROLE_NAME: 'TourniquetResponder',
      TOURNIQUET_EMAIL_MIN_SEVERITY: 0,
      TOURNIQUET_SLACK_MIN_SEVERITY: 4,
      TOURNIQUET_APPROVAL_TTL_MINUTES: 1440,
    });
  });

  it('reads every variable, numbers from their text, and ignores unrelated ones', () => {
    const c = readLambdaConfig({
      ...base,
      PATH: '/usr/bin',
      AWS_REGION: 'eu-west-1',
      TOURNIQUET_MODE: 'observe',
      TOURNIQUET_OBJECT_LOCK_MODE: 'COMPLIANCE',
      TOURNIQUET_OBJECT_LOCK_DAYS: '365',
      TOURNIQUET_EMAIL_MIN_SEVERITY: '2.5',
      TOURNIQUET_SLACK_MIN_SEVERITY: '7',
      TOURNIQUET_APPROVAL_TTL_MINUTES: '60',
      TOURNIQUET_APPROVAL_URL: 'https://abc.lambda-url.eu-west-1.on.aws/',
      TOURNIQUET_POLICY: 's3://bucket/policy.yaml',
    });
    expect(c).toMatchObject({ TOURNIQUET_MODE: 'observe', TOURNIQUET_OBJECT_LOCK_DAYS: 365, TOURNIQUET_EMAIL_MIN_SEVERITY: 2.5, TOURNIQUET_SLACK_MIN_SEVERITY: 7, TOURNIQUET_APPROVAL_TTL_MINUTES: 60 });
    expect(c).not.toHaveProperty('PATH');
    expect(c).not.toHaveProperty('AWS_REGION');
  });

  it('names a missing required variable', () => {
    expect(refused({ TOURNIQUET_EVIDENCE_BUCKET: 'b-1' }).message).toMatch(/^invalid Lambda environment: TOURNIQUET_JOURNAL_TABLE: .*nothing \(missing\)/);
    const both = refused({}).message;
    expect(both).toContain('TOURNIQUET_JOURNAL_TABLE');
    expect(both).toContain('TOURNIQUET_EVIDENCE_BUCKET');
  });

  it.each([
    ['TOURNIQUET_MODE', 'yolo'],
    ['TOURNIQUET_OBJECT_LOCK_MODE', 'governance'],
    ['TOURNIQUET_OBJECT_LOCK_DAYS', '0'],
    ['TOURNIQUET_OBJECT_LOCK_DAYS', '1.5'],
    ['TOURNIQUET_EMAIL_MIN_SEVERITY', '11'],
    ['TOURNIQUET_SLACK_MIN_SEVERITY', 'high'],
    ['TOURNIQUET_APPROVAL_TTL_MINUTES', '1'],
    ['TOURNIQUET_APPROVAL_TTL_MINUTES', 'a day'],
    ['TOURNIQUET_APPROVAL_URL', 'not a url'],
    ['TOURNIQUET_JOURNAL_TABLE', 'ab'],
  ])('names %s and the value received when it is %j', (name, value) => {
    const message = refused({ ...base, [name]: value }).message;
    expect(message).toMatch(new RegExp(`^invalid Lambda environment: ${name}: `));
    expect(message).toContain(`received string ${JSON.stringify(value)}`);
  });

  it('refuses an empty numeric variable instead of reading it as 0', () => {
    // A variable cleared in the console stays set to "": it must not silently mean "severity 0: send everything".
    for (const name of ['TOURNIQUET_SLACK_MIN_SEVERITY', 'TOURNIQUET_EMAIL_MIN_SEVERITY', 'TOURNIQUET_OBJECT_LOCK_DAYS', 'TOURNIQUET_APPROVAL_TTL_MINUTES']) {
      expect(refused({ ...base, [name]: '' }).message).toMatch(new RegExp(`${name}: .*received string ""`));
      expect(refused({ ...base, [name]: '  ' }).message).toContain(name);
    }
  });

  it.each(['0x10', '1e3', 'Infinity', '-5', '4,5'])('refuses %s, which Number() alone would read, naming the variable', (value) => {
    const message = refused({ ...base, TOURNIQUET_APPROVAL_TTL_MINUTES: value, TOURNIQUET_SLACK_MIN_SEVERITY: value }).message;
    expect(message).toMatch(/TOURNIQUET_APPROVAL_TTL_MINUTES: .*decimal digits/);
    expect(message).toMatch(/TOURNIQUET_SLACK_MIN_SEVERITY: .*decimal digits/);
  });

  it('still reads decimal values, with surrounding spaces', () => {
    const config = readLambdaConfig({ ...base, TOURNIQUET_APPROVAL_TTL_MINUTES: ' 30 ', TOURNIQUET_SLACK_MIN_SEVERITY: '4.5' });
    expect(config.TOURNIQUET_APPROVAL_TTL_MINUTES).toBe(30);
    expect(config.TOURNIQUET_SLACK_MIN_SEVERITY).toBe(4.5);
  });

  it('lists every invalid variable at once', () => {
    const message = refused({ ...base, TOURNIQUET_MODE: 'x', TOURNIQUET_SLACK_MIN_SEVERITY: '99' }).message;
    expect(message).toContain('TOURNIQUET_MODE');
    expect(message).toContain('TOURNIQUET_SLACK_MIN_SEVERITY');
  });
});
