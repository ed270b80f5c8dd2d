/**
 * Downloads a Lambda deployment package from the pre-signed `Code.Location` GetFunction returns (short-lived: fetched
 * straight away), streamed and hashed as it arrives, with a byte bound so a huge package cannot exhaust the
 * responder's memory. The SHA-256 is compared with `CodeSha256` (base64 of the package's SHA-256), which proves the
 * bytes kept are the bytes deployed.
 */
import { createHash } from 'node:crypto';

export type CodeDownload =
  | { status: 'downloaded'; bytes: Uint8Array; sha256Hex: string; sha256Base64: string }
  | { status: 'too-large'; readBytes: number; maxBytes: number };

/** GET the URL; a non-2xx answer or a network failure throws (the caller turns it into a StepError). */
export async function downloadCode(url: string, maxBytes: number, timeoutMs = 60_000): Promise<CodeDownload> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    const res = await fetch(url, { signal: controller.signal });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText} from the code location`);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      controller.abort();
      return { status: 'too-large', readBytes: 0, maxBytes };
    }
    const hash = createHash('sha256');
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (res.body !== null) {
      for await (const chunk of res.body) {
        total += chunk.byteLength;
        if (total > maxBytes) {
          controller.abort();
          return { status: 'too-large', readBytes: total, maxBytes };
        }
        hash.update(chunk);
        chunks.push(chunk);
      }
    }
    const digest = hash.digest();
    return { status: 'downloaded', bytes: Buffer.concat(chunks), sha256Hex: digest.toString('hex'), sha256Base64: digest.toString('base64') };
  } finally {
    clearTimeout(timer);
  }
}
