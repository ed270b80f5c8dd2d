/**
 * A small tmpfs for "the disk is full" tests: ENOSPC from a real file system, not a mock. Mounting needs root (the
 * tests run as root in CI); elsewhere `mountSmallTmpfs` returns undefined and the test is skipped, saying so.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallTmpfs {
  readonly dir: string;
  /** Takes `bytes` of the space with a filler file. */
  fill(bytes: number): void;
  unmount(): void;
}

export function mountSmallTmpfs(kib: number): SmallTmpfs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'tourniquet-tiny-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    fill: (bytes) => writeFileSync(join(dir, 'filler'), Buffer.alloc(bytes)),
    unmount: () => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
