import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globMatch, typeMatches, typePatternKind } from '../../../src/policy/glob.js';

describe('globMatch', () => {
  it('matches whole strings with * as any sequence, including "/" and the empty string', () => {
    expect(globMatch('us-*', 'us-east-1')).toBe(true);
    expect(globMatch('us-*', 'eu-west-1')).toBe(false);
    expect(globMatch('arn:aws:iam::*:role/aws-service-role/*', 'arn:aws:iam::1:role/aws-service-role/x.amazonaws.com/R')).toBe(true);
    expect(globMatch('a*', 'a')).toBe(true);
    expect(globMatch('*', '')).toBe(true);
    expect(globMatch('a*b*c', 'aXXbYYc')).toBe(true);
    expect(globMatch('a*b*c', 'aXXbYY')).toBe(false);
    expect(globMatch('abc', 'abcd')).toBe(false);
  });

  it('treats every character but * literally (?, [, ., !, &)', () => {
    expect(globMatch('a?c', 'abc')).toBe(false);
    expect(globMatch('a?c', 'a?c')).toBe(true);
    expect(globMatch('[ab]', 'a')).toBe(false);
    expect(globMatch('a.c', 'abc')).toBe(false);
  });

  it('without *, is string equality (property)', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !s.includes('*')), fc.string(), (p, t) => {
        expect(globMatch(p, t)).toBe(p === t);
      }),
    );
  });

  it('a text always matches itself with any parts replaced by * (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string().filter((s) => !s.includes('*')), fc.boolean()), { maxLength: 6 }),
        (parts) => {
          const text = parts.map(([s]) => s).join('');
          const pattern = parts.map(([s, star]) => (star ? '*' : s)).join('');
          expect(globMatch(pattern, text)).toBe(true);
        },
      ),
    );
  });
});

describe('typeMatches', () => {
  it('reads patterns as exact, prefix (ending in / or :) or glob', () => {
    expect(typePatternKind('Backdoor:EC2/C&CActivity.B!DNS')).toBe('exact');
    expect(typePatternKind('Backdoor:EC2/')).toBe('prefix');
    expect(typePatternKind('Backdoor:')).toBe('prefix');
    expect(typePatternKind('CryptoCurrency:EC2/*')).toBe('glob');
  });

  it('keeps ! and & literal in exact, prefix and glob patterns', () => {
    const t = 'Backdoor:EC2/C&CActivity.B!DNS';
    expect(typeMatches('Backdoor:EC2/C&CActivity.B!DNS', t)).toBe(true);
    expect(typeMatches('Backdoor:EC2/C&CActivity.B', t)).toBe(false); // exact, not prefix
    expect(typeMatches('Backdoor:EC2/C&CActivity.B', 'Backdoor:EC2/C&CActivity.B')).toBe(true);
    expect(typeMatches('Backdoor:EC2/', t)).toBe(true);
    expect(typeMatches('Backdoor:', t)).toBe(true);
    expect(typeMatches('Backdoor:EC2', t)).toBe(false); // no trailing "/": exact
    expect(typeMatches('Backdoor:EC2/C&C*', t)).toBe(true);
    expect(typeMatches('*!DNS', t)).toBe(true);
    expect(typeMatches('*!DNS', 'Backdoor:EC2/C&CActivity.B')).toBe(false);
    expect(typeMatches('Backdoor:EC2/C*Activity.B!DNS', t)).toBe(true);
    expect(typeMatches('Backdoor:EC2/CXCActivity*', t)).toBe(false);
  });

  it('is case-sensitive, like GuardDuty type names', () => {
    expect(typeMatches('cryptocurrency:EC2/', 'CryptoCurrency:EC2/BitcoinTool.B')).toBe(false);
    expect(typeMatches('CryptoCurrency:EC2/', 'CryptoCurrency:EC2/BitcoinTool.B')).toBe(true);
  });
});
