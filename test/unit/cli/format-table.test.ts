import { describe, expect, it } from 'vitest';
import { formatTable, terminalSafe, truncate } from '../../../src/cli/format-table.js';

describe('terminalSafe', () => {
  it('shows escape sequences, C1 controls and DEL as visible escapes', () => {
    const hostile = 'i-0abc\u001b]0;owned\u0007\u001b[2J\u009b31m\u007f';
    const safe = terminalSafe(hostile);
    expect(safe).toBe('i-0abc\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\x7f');
    // eslint-disable-next-line no-control-regex -- asserting their absence
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('neutralises bidi overrides and line separators that would reorder or split what is shown', () => {
    expect(terminalSafe('evil\u202Egpj.exe')).toBe('evil\\u202egpj.exe');
    expect(terminalSafe('a\u2028b\u2066c')).toBe('a\\u2028b\\u2066c');
    expect(terminalSafe('plain: C&CActivity.B!DNS, ünïcödé')).toBe('plain: C&CActivity.B!DNS, ünïcödé');
  });
});

describe('formatTable', () => {
  it('aligns columns to the widest cell and trims trailing space', () => {
    const lines = formatTable(['TYPE', 'BAND'], [
      ['Backdoor:EC2/C&CActivity.B', 'High (8)'],
      ['X', ''],
    ]);
    expect(lines).toEqual([
      'TYPE                        BAND',
      'Backdoor:EC2/C&CActivity.B  High (8)',
      'X',
    ]);
  });

  it('cuts long cells with an ellipsis and makes every cell terminal-safe', () => {
    const lines = formatTable(['A', 'B'], [['0123456789', '\u001b[31mred']], { maxCellWidth: 6 });
    expect(lines[1]).toBe('01234…  \\x1b[…');
    expect(lines.join('\n')).not.toContain('\u001b');
  });

  it('truncate counts characters, not UTF-16 units', () => {
    expect(truncate('🔥🔥🔥🔥', 3)).toBe('🔥🔥…');
    expect(truncate('abc', 3)).toBe('abc');
  });
});

describe('formatTable column limits', () => {
  it('accepts one limit per column, Infinity meaning never cut', () => {
    const type = 'PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount';
    const lines = formatTable(['TYPE', 'NOTE'], [[type, 'a long note that will be cut']], { maxCellWidth: [Infinity, 8] });
    expect(lines[1]).toBe(`${type}  a long …`);
  });
});
