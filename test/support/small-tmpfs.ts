/**
 * A small tmpfs for "the disk is full" tests: ENOSPC from a real file system, not a mock. Mounting needs root (the
 * tests run as root in CI); elsewhere the test is skipped, saying so.
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

/** Whether this process may mount one (root); decided when tests are collected, the mount made inside the test. */
export const CAN_MOUNT_TMPFS = process.getuid?.() === 0;

/**
 * Mounts one for the duration of `use` and unmounts it after, pass or fail; `use` gets undefined where mounting is
 * not possible. Mounted inside the test, never at collection: a suite filtered out never ran its `afterAll`, and its
 * mounts stayed behind.
 */
export async function withSmallTmpfs<T>(kib: number, use: (tmpfs: SmallTmpfs | undefined) => Promise<T>): Promise<T> {
  const tmpfs = mountSmallTmpfs(kib);
  try {
    return await use(tmpfs);
  } finally {
    tmpfs?.unmount();
  }
}

function mountSmallTmpfs(kib: number): SmallTmpfs | undefined {
  if (!CAN_MOUNT_TMPFS) return undefined;
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
