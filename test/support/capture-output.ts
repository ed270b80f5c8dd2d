/**
 * Captures what code under test prints: process.stdout/stderr writes and console.log/info (stdout) and
 * console.error/warn (stderr). Vitest routes console.* through its own reporter, not process.stdout, so both are
 * spied on.
 */
import { format } from 'node:util';
import { vi } from 'vitest';

export interface Captured<T> {
  readonly value: T;
  readonly out: string;
  readonly err: string;
}

export async function captureOutput<T>(fn: () => Promise<T> | T): Promise<Captured<T>> {
  const out: string[] = [];
  const err: string[] = [];
  const write = (into: string[]) =>
    ((chunk: string | Uint8Array) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
  const line = (into: string[]) => (...args: unknown[]) => void into.push(`${format(...args)}\n`);
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(write(out)),
    vi.spyOn(process.stderr, 'write').mockImplementation(write(err)),
    vi.spyOn(console, 'log').mockImplementation(line(out)),
    vi.spyOn(console, 'info').mockImplementation(line(out)),
    vi.spyOn(console, 'error').mockImplementation(line(err)),
    vi.spyOn(console, 'warn').mockImplementation(line(err)),
  ];
  try {
    const value = await fn();
    return { value, out: out.join(''), err: err.join('') };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}
