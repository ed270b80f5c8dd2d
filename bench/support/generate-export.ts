/**
 * A realistic GuardDuty findings export written as gzip JSON Lines, of any size, without holding it in memory: every
 * finding in samples/ (every resource type) is a template; each generated finding gets its own id, account, times,
 * resource ids and padding to 3–6 KB (real findings carry long descriptions and action details), and a share of the
 * lines are later re-publications of earlier findings (same id, higher count, later updatedAt), as in real exports.
 */
import { readdirSync, readFileSync, statSync, createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, createGzip } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const SAMPLES = join(here, '..', '..', 'samples');

type Obj = Record<string, unknown>;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Every camelCase finding object in samples/ that is not a sample-generator finding. */
export function templateFindings(): Obj[] {
  const out: Obj[] = [];
  const take = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(take);
    if (typeof v !== 'object' || v === null) return;
    const o = v as Obj;
    if (o['detail-type'] === 'GuardDuty Finding') take(o['detail']);
    else if (typeof o['type'] === 'string' && typeof o['resource'] === 'object' && !JSON.stringify(o).includes('GeneratedFinding')) out.push(o);
  };
  for (const file of filesUnder(SAMPLES)) {
    if (file.includes(join('samples', 'cli'))) continue;
    if (file.endsWith('.jsonl')) readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').forEach((l) => take(JSON.parse(l)));
    else if (file.endsWith('.json')) take(JSON.parse(readFileSync(file, 'utf8')));
  }
  return out;
}

const hex = (n: number, width: number): string => (n >>> 0).toString(16).padStart(8, '0').repeat(Math.ceil(width / 8)).slice(-width);

/** Deterministic pseudo-random numbers (mulberry32), so every run writes the same export. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'the instance queried a domain associated with cryptocurrency mining activity from an unusual location using credentials'.split(' ');

/** Resource ids of the generated finding `k`, so findings of one subject repeat and different subjects differ. */
function vary(f: Obj, k: number, subject: number, rnd: () => number): void {
  const r = f['resource'] as Obj;
  const id = hex(Math.imul(k + 1, 2654435761), 8) + hex(k, 8) + hex(Math.imul(k + 7, 40503), 16);
  f['id'] = id;
  f['arn'] = String(f['arn']).replace(/finding\/[^/]+$/, `finding/${id}`);
  f['accountId'] = `1111222${String(30000 + (subject % 40)).padStart(5, '0')}`;
  const inst = r['instanceDetails'] as Obj | undefined;
  if (inst) inst['instanceId'] = `i-${hex(subject, 17)}`;
  const key = r['accessKeyDetails'] as Obj | undefined;
  if (key) {
    key['accessKeyId'] = `AKIA${hex(subject, 16).toUpperCase()}`;
    key['userName'] = `user-${subject}`;
  }
  const buckets = r['s3BucketDetails'] as Obj[] | undefined;
  if (buckets?.[0]) buckets[0]['name'] = `bucket-${subject}`;
  const fn = r['lambdaDetails'] as Obj | undefined;
  if (fn) fn['functionName'] = `fn-${subject}`;
  const eks = r['eksClusterDetails'] as Obj | undefined;
  if (eks) eks['name'] = `cluster-${subject}`;
  // 3–6 KB a finding: pad the description with words.
  const target = 3000 + Math.floor(rnd() * 3000);
  let text = String(f['description'] ?? '');
  const size = JSON.stringify(f).length;
  while (size + text.length < target) text += ` ${WORDS[Math.floor(rnd() * WORDS.length)]}`;
  f['description'] = text;
}

export interface ExportSpec {
  readonly findings: number;
  /** Share of lines that re-publish an earlier finding (default 0.25). */
  readonly republishRate?: number;
  /** Distinct subjects (default findings / 3: several findings per resource). */
  readonly subjects?: number;
  readonly seed?: number;
}

/** Writes the export to `file` (gzip level 1: generation should not dominate a benchmark). Returns lines and bytes. */
export async function writeExport(file: string, spec: ExportSpec): Promise<{ lines: number; uncompressedBytes: number }> {
  const templates = templateFindings();
  const rnd = random(spec.seed ?? 1);
  const rate = spec.republishRate ?? 0.25;
  const subjects = Math.max(1, spec.subjects ?? Math.ceil(spec.findings / 3));
  const gzip = createGzip({ level: constants.Z_BEST_SPEED });
  const done = new Promise<void>((resolve, reject) => {
    const out = createWriteStream(file);
    out.on('finish', resolve).on('error', reject);
    gzip.on('error', reject).pipe(out);
  });
  const base = Date.parse('2026-08-01T00:00:00Z');
  let bytes = 0;
  let lines = 0;
  let made = 0;
  const recent: string[] = [];
  while (made < spec.findings) {
    let line: string;
    if (made > 10 && rnd() < rate) {
      // A re-publication of a recent finding: later updatedAt, higher count.
      const f = JSON.parse(recent[Math.floor(rnd() * recent.length)]!) as Obj;
      const service = (f['service'] ?? {}) as Obj;
      service['count'] = Number(service['count'] ?? 1) + 1 + Math.floor(rnd() * 20);
      f['service'] = service;
      f['updatedAt'] = new Date(Date.parse(String(f['updatedAt'])) + 900_000).toISOString();
      line = JSON.stringify(f);
    } else {
      const k = made++;
      const f = structuredClone(templates[k % templates.length]!);
      vary(f, k, Math.floor(rnd() * subjects), rnd);
      const t = new Date(base + k * 1000).toISOString();
      f['createdAt'] = t;
      f['updatedAt'] = t;
      line = JSON.stringify(f);
      recent.push(line);
      if (recent.length > 64) recent.shift();
    }
    bytes += line.length + 1;
    lines++;
    if (!gzip.write(`${line}\n`)) await new Promise((r) => gzip.once('drain', r));
  }
  gzip.end();
  await done;
  return { lines, uncompressedBytes: bytes };
}
