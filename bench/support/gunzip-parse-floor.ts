/**
 * The ingest benchmarks' floor (issue 12): gunzip + split on `\n` + `JSON.parse` of each line, nothing else — what any
 * reader of a gzip JSON Lines export must do. Shared by bench/ingest.ts and bench/ingest-stages.ts.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

/** gunzip (`chunkSize` unpacked bytes a chunk) + split on `\n` + `JSON.parse` of each line; returns the lines parsed. */
export async function gunzipParseFloor(file: string, chunkSize: number): Promise<number> {
  let lines = 0;
  let carry: Buffer | undefined;
  const parse = (buf: Buffer): void => {
    if (buf.length === 0) return;
    JSON.parse(buf.toString('utf8'));
    lines++;
  };
  for await (const chunk of createReadStream(file).pipe(createGunzip({ chunkSize })) as AsyncIterable<Buffer>) {
    let start = 0;
    let nl = chunk.indexOf(10);
    if (nl >= 0 && carry !== undefined) {
      parse(Buffer.concat([carry, chunk.subarray(0, nl)]));
      carry = undefined;
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    while (nl >= 0) {
      parse(chunk.subarray(start, nl));
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) carry = carry === undefined ? chunk.subarray(start) : Buffer.concat([carry, chunk.subarray(start)]);
  }
  if (carry !== undefined) parse(carry);
  return lines;
}
