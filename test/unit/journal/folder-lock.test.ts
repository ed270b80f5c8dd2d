import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../../src/errors.js';
import { lockFolder } from '../../../src/journal/folder-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tq-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const locks = async () => (await readdir(dir)).filter((n) => n.startsWith('tourniquet.lock')).sort();
const nobodyRuns = () => false;
const everyoneRuns = () => true;

describe('lockFolder', () => {
  it('takes a free folder with generation 1 holding our pid, and removes it on release', async () => {
    const release = await lockFolder(dir);
    expect(await locks()).toEqual(['tourniquet.lock.1']);
    expect(await readFile(join(dir, 'tourniquet.lock.1'), 'utf8')).toBe(String(process.pid));
    await release();
    await release(); // twice is harmless
    expect(await locks()).toEqual([]);
  });

  it('refuses while a running process holds it, naming the process', async () => {
    await writeFile(join(dir, 'tourniquet.lock.3'), '4242');
    const err = await lockFolder(dir, { isRunning: everyoneRuns }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toBe(
      `the journal at ${dir} is in use by process 4242 (another tourniquet command?); wait for it, or use another --journal-path`,
    );
  });

  it('takes over a stale lock by claiming the next generation, leaving the stale file in place', async () => {
    await writeFile(join(dir, 'tourniquet.lock.3'), '4242');
    const release = await lockFolder(dir, { isRunning: nobodyRuns });
    expect(await locks()).toEqual(['tourniquet.lock.3', 'tourniquet.lock.4']);
    await release();
    expect(await locks()).toEqual(['tourniquet.lock.3']);
  });

  it('refuses a second lock in the same process, and takes over a stale lock carrying our own pid', async () => {
    const release = await lockFolder(dir);
    await expect(lockFolder(dir)).rejects.toThrow(/in use by process/);
    await release();
    // A lock left by an earlier process that had our pid (containers reuse low pids).
    await writeFile(join(dir, 'tourniquet.lock.1'), String(process.pid));
    const again = await lockFolder(dir);
    expect(await locks()).toEqual(['tourniquet.lock.1', 'tourniquet.lock.2']);
    await again();
  });

  it('honours a live lock file of the earlier single-file format, and ignores a stale one', async () => {
    await writeFile(join(dir, 'tourniquet.lock'), '4242');
    await expect(lockFolder(dir, { isRunning: everyoneRuns })).rejects.toThrow(/in use by process 4242/);
    const release = await lockFolder(dir, { isRunning: nobodyRuns });
    expect(await locks()).toEqual(['tourniquet.lock', 'tourniquet.lock.1']);
    await release();
  });

  it('many lockers in one moment on a stale lock: exactly one wins', async () => {
    await writeFile(join(dir, 'tourniquet.lock.1'), '4242');
    // Each claim is a separate caller as far as the lock is concerned: treat pids other than 4242 as running.
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => lockFolder(dir, { isRunning: (pid) => pid !== 4242 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(String(r.reason)).toMatch(/in use by process/);
  });
});
