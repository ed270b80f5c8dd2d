/**
 * Evidence kept in memory for tests that do not look at the case folder: every artefact by name (a JSON copy, so a
 * later change to the object the code still holds does not rewrite what was "stored"), with its order.
 */
import type { EvidenceEntry, EvidenceWriter } from '../../src/evidence/evidence-writer.js';

export interface MemoryEvidence extends EvidenceWriter {
  /** Artefact name → stored content (last write wins). */
  readonly items: Map<string, unknown>;
  /** Names in the order they were put (repeats included). */
  readonly names: string[];
}

export function memoryEvidence(options: { location?: string; recordedAt?: Date } = {}): MemoryEvidence {
  const items = new Map<string, unknown>();
  const names: string[] = [];
  return {
    location: options.location ?? 'memory://test',
    items,
    names,
    put(name: string, content: unknown): Promise<EvidenceEntry> {
      items.set(name, content === undefined ? undefined : JSON.parse(JSON.stringify(content)));
      names.push(name);
      const recordedAt = (options.recordedAt ?? new Date(0)).toISOString();
      return Promise.resolve({ seq: names.length, name, sha256: '0'.repeat(64), bytes: 0, recordedAt, chain: '0'.repeat(64) });
    },
  };
}
