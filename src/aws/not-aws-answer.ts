/**
 * An endpoint (`--endpoint`, `AWS_ENDPOINT_URL`) that answers, but not as AWS: a web server, a proxy's login page, the
 * wrong port of an emulator. Its HTML was read by the SDK as an empty answer (`drill` said the instance was not found,
 * `triage s3://…` "no findings", evidence "written") or failed deep in a deserializer (`XML parse error: mismatched
 * tags`). This middleware looks at the raw answer before it is deserialized and fails the call with one line naming
 * the endpoint and what came back. Added only where the user gave an endpoint: AWS's own never answers this way.
 *
 * Not AWS: an HTML page (sniffed in the body, as emulators label some of their XML `text/html`), or a `text/plain`
 * error that is neither XML nor JSON (a bare `Not Found`). S3 GetObject is left alone: its body is the object's.
 */
import type { Readable } from 'node:stream';

export const NOT_AWS_ANSWER = 'NotAnAwsAnswer';
const SNIFF_BYTES = 64 * 1024;

interface RawResponse {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body?: unknown;
}

type Handler = (args: { input: object; request?: unknown }) => Promise<{ response: unknown; output?: unknown }>;

export interface CheckableClient {
  middlewareStack: {
    add(
      middleware: (next: Handler, context: { commandName?: string }) => Handler,
      options: { step: 'deserialize'; name: string; priority: 'low'; override: boolean },
    ): void;
  };
}

/** Fails a call whose answer is not AWS's, naming `endpoint`; nothing when no endpoint was given. */
export function checkAwsAnswers(client: CheckableClient, endpoint: string | undefined): void {
  if (endpoint === undefined) return;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === 'GetObjectCommand') return out;
      const res = out.response as RawResponse;
      const type = (res.headers['content-type'] ?? '').toLowerCase();
      if (!type.startsWith('text/html') && !type.startsWith('text/plain')) return out;
      const body = await bodyBytes(res.body);
      res.body = body; // read once here: the deserializer reads this copy
      const text = body.subarray(0, SNIFF_BYTES).toString('utf8').trimStart();
      const html = /^<(!doctype html|html|head|body)\b/i.test(text);
      const bareError = type.startsWith('text/plain') && res.statusCode >= 400 && text !== '' && !/^[<{]/.test(text);
      if (html || bareError) {
        throw Object.assign(
          new Error(`the endpoint ${endpoint} answered HTTP ${res.statusCode} with ${html ? 'an HTML page' : JSON.stringify(text.slice(0, 40))}, not as AWS: is --endpoint / AWS_ENDPOINT_URL an AWS endpoint (or an emulator such as moto)?`),
          { name: NOT_AWS_ANSWER },
        );
      }
      return out;
    },
    { step: 'deserialize', name: 'tourniquetNotAwsAnswer', priority: 'low', override: true },
  );
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of body as Readable) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** `client` with the check added (for use where the client is made inline). */
export function withAwsAnswerCheck<C>(client: C, endpoint: string | undefined): C {
  checkAwsAnswers(client as unknown as CheckableClient, endpoint === '' ? undefined : endpoint);
  return client;
}
