/**
 * Pattern matching for policy criteria. Only `*` is special (any sequence, including `/` and the empty string);
 * every other character — `!`, `&`, `.`, `?`, `[` … — is literal, because GuardDuty type names contain `!` and `&`
 * (`Backdoor:EC2/C&CActivity.B!DNS`). No regular expressions are built from patterns, so a pattern cannot be
 * a ReDoS or change meaning.
 */

/** Whole-string match of `text` against `pattern` where `*` matches any sequence. Case-sensitive. O(n·m) worst case. */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === '*') {
      starP = p++;
      starT = t;
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (starP >= 0) {
      // Let the last `*` absorb one more character and retry.
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

export type TypePatternKind = 'exact' | 'prefix' | 'glob';

/** How a finding-type pattern is read: with `*` a glob; ending in `/` or `:` a prefix; otherwise exact. */
export function typePatternKind(pattern: string): TypePatternKind {
  if (pattern.includes('*')) return 'glob';
  if (pattern.endsWith('/') || pattern.endsWith(':')) return 'prefix';
  return 'exact';
}

/** Whether a finding type (e.g. `CryptoCurrency:EC2/BitcoinTool.B!DNS`) matches one type pattern. */
export function typeMatches(pattern: string, type: string): boolean {
  switch (typePatternKind(pattern)) {
    case 'glob':
      return globMatch(pattern, type);
    case 'prefix':
      return type.startsWith(pattern);
    case 'exact':
      return type === pattern;
  }
}
