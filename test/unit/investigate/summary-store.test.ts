import { describe, expect, it } from 'vitest';
import type { FindingSummary } from '../../../src/investigate/finding-summary.js';
import { SummaryStore } from '../../../src/investigate/summary-store.js';

function summary(id: string, updatedAt: number, count: number, subjects: number[], actors: number[] = [], links: string[] = []): FindingSummary {
  return { id, type: 1, severity: 7.5, account: 2, region: 3, updatedAt, firstSeen: 10, lastSeen: updatedAt, count, subjects, actors, ai: true, sample: false, archived: false, links, isSequence: false };
}

describe('SummaryStore', () => {
  it('keeps the latest occurrence of each finding, whether its keys grow, shrink or stay', () => {
    const store = new SummaryStore();
    expect(store.put(summary('a', 100, 1, [5]))).toBe(true);
    expect(store.put(summary('b', 100, 1, [6], [9]))).toBe(true);
    // Later, with more keys than the row had: written at the end of the pool, b untouched.
    expect(store.put(summary('a', 200, 4, [5, 7], [8], ['seq']))).toBe(false);
    // Earlier: ignored.
    expect(store.put(summary('a', 150, 9, [1]))).toBe(false);
    // Same time, higher count: wins, and its fewer keys are written in place.
    expect(store.put(summary('a', 200, 5, [5]))).toBe(false);
    expect(store.size).toBe(2);
    expect(store.get(0)).toEqual(summary('a', 200, 5, [5]));
    expect(store.get(1)).toEqual(summary('b', 100, 1, [6], [9]));
    expect(Array.from(store.keys(1))).toEqual([6, 9]);
    expect(store.rowOfId('b')).toBe(1);
  });

  it('grows past its initial capacity without losing rows', () => {
    const store = new SummaryStore();
    for (let i = 0; i < 5000; i++) store.put(summary(`f${i}`, i, i, [i, i + 1, i + 2]));
    expect(store.size).toBe(5000);
    expect(store.get(4321)).toEqual(summary('f4321', 4321, 4321, [4321, 4322, 4323]));
    expect(store.get(0)).toEqual(summary('f0', 0, 0, [0, 1, 2]));
  });

  it('keeps attack-sequence links with their row, replaced by a later occurrence, and tells rows apart by exact id', () => {
    const store = new SummaryStore();
    store.put(summary('sig', 100, 1, [1], [], ['seq-a', 'seq-b']));
    store.put(summary('other', 100, 1, [2], [], ['seq-a']));
    expect(store.linksOf(0)).toEqual(['seq-a', 'seq-b']);
    expect(store.linksOf(1)).toEqual(['seq-a']);
    // A later occurrence with other links (and more keys, so it moves in the pool): only its own links remain.
    store.put(summary('sig', 200, 2, [1, 3], [4], ['seq-c']));
    expect(store.linksOf(0)).toEqual(['seq-c']);
    expect(Array.from(store.keys(0))).toEqual([1, 3, 4]);
    store.put(summary('sig', 300, 3, [1]));
    expect(store.linksOf(0)).toEqual([]);
    expect(store.linksOf(1)).toEqual(['seq-a']);
    expect(store.rowOfId('sig')).toBe(0);
    expect(store.rowOfId('si')).toBeUndefined();
    expect(store.rowOfId('sig ')).toBeUndefined();
    expect(store.idOf(1)).toBe('other');
  });
});
