/**
 * Benchmark: line assembly of the stream reader, the old algorithm against the new one in the same run.
 *
 * (old) what src/findings/stream-reader.ts did before: decode each chunk to a string, append it to the unfinished
 *       line (`partial + text`) and search the whole string again for a newline: quadratic in the line length.
 * (new) LineSplitter (src/findings/line-splitter.ts): byte chunks kept in a list, joined and decoded once per line.
 *
 * Both get the same chunks: 16 KiB, the size gunzip emits, so a long line in a .jsonl.gz arrives in many pieces.
 * Cases: one long line of 1, 4 and 16 MiB (assembled whole by both: the new splitter runs with a limit above the
 * line), the same 16 MiB line under the default 16 MiB limit minus one byte (rejected without being assembled), and an
 * ordinary export (20,000 lines of ~3 KB) to show normal input is not slower.
 * Runs alternate old/new after a warm-up of each; prints the median of each and the ratio old/new. Usage: `npm run bench:long-line [runs]` (default 5).
 */
import './support/quiet-sdk-warning.js';
import { StringDecoder } from 'node:string_decoder';
import { LineSplitter } from '../src/findings/line-splitter.js';

const CHUNK = 16 * 1024;
const MiB = 1024 * 1024;

function chunksOf(text: string): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) out.push(bytes.subarray(i, i + CHUNK));
  return out;
}

/** The previous reader's line assembly (string append + indexOf over the whole unfinished line). */
function oldSplit(chunks: readonly Buffer[], onLine: (line: string) => void): void {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  const push = (text: string): void => {
    let data = partial + text;
    let start = 0;
    for (let end = data.indexOf('\n'); end !== -1; end = data.indexOf('\n', start)) {
      onLine(data.slice(start, end));
      start = end + 1;
    }
    data = data.slice(start);
    partial = data;
  };
  for (const c of chunks) push(decoder.write(c));
  const tail = decoder.end();
  if (tail.length > 0) push(tail);
  if (partial.length > 0) onLine(partial);
}

function newSplit(chunks: readonly Buffer[], maxLineBytes: number, onLine: (line: string) => void): void {
  const s = new LineSplitter(maxLineBytes, { line: (t) => onLine(t), tooLong: () => onLine('') });
  for (const c of chunks) s.push(c);
  s.end();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Times `a` and `b` alternately (so neither pays for the other's garbage more often), after one warm-up each. */
function timePair(runs: number, a: () => number, b: () => number): Array<{ ms: number; check: number }> {
  const fns = [a, b];
  const times: number[][] = [[], []];
  const checks = [fns[0]!(), fns[1]!()];
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < 2; k++) {
      const t0 = process.hrtime.bigint();
      checks[k] = fns[k]!();
      times[k]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  return [0, 1].map((k) => ({ ms: median(times[k]!), check: checks[k]! }));
}

/** Total characters of the lines seen: both algorithms must agree on it. */
function run(split: (onLine: (line: string) => void) => void): number {
  let total = 0;
  split((line) => (total += line.length));
  return total;
}

function report(label: string, runs: number, chunks: readonly Buffer[], maxLineBytes: number, expectSame = true): void {
  const [before, after] = timePair(
    runs,
    () => run((on) => oldSplit(chunks, on)),
    () => run((on) => newSplit(chunks, maxLineBytes, on)),
  ) as [{ ms: number; check: number }, { ms: number; check: number }];
  if (expectSame && before.check !== after.check) throw new Error(`${label}: the algorithms disagree (${before.check} vs ${after.check} characters)`);
  const ratio = before.ms / after.ms;
  console.log(`  ${label.padEnd(48)} old ${before.ms.toFixed(1).padStart(9)} ms   new ${after.ms.toFixed(1).padStart(7)} ms   old/new ${ratio.toFixed(1)}x`);
}

const runs = Number(process.argv[2] ?? 5);
console.log(`long-line: median of ${runs} runs, 16 KiB chunks (Node ${process.version})`);
for (const mib of [1, 4, 16]) {
  const line = `{"x":"${'x'.repeat(mib * MiB - 8)}"}`;
  report(`one ${mib} MiB line, assembled`, runs, chunksOf(`${line}\n{}\n`), 256 * MiB);
}
{
  const line = `{"x":"${'x'.repeat(16 * MiB - 8)}"}`;
  report('one 16 MiB line, rejected (limit 16 MiB - 1)', runs, chunksOf(`${line}\n{}\n`), 16 * MiB - 1, false);
}
{
  const line = `{"id":"${'0'.repeat(32)}","payload":"${'y'.repeat(3000)}"}`;
  report('20,000 lines of ~3 KB (an ordinary export)', runs, chunksOf(`${line}\n`.repeat(20_000)), 16 * MiB);
}
