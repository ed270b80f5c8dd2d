/**
 * A recording pass-through proxy in front of moto_server: every request that REACHES the emulator is logged with its
 * service, operation and parameters (EC2/query form fields, or the JSON body), and answered with moto's answer as is.
 * Put it behind a fault proxy (fault proxy → recorder → moto): requests the fault proxy refused (throttled, 5xx,
 * reset before forwarding) never show up here, requests whose answer it threw away after moto applied them do. So
 * the log is what changed the emulator, not what the engine believes it sent.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classify } from '../../src/drill/fault-proxy.js';

export interface WireCall {
  readonly service: string;
  readonly operation: string;
  /** Form fields (EC2 and query protocols) or the top-level fields of a JSON body. */
  readonly params: Readonly<Record<string, string>>;
  readonly status: number;
}

export interface WireRecorder {
  readonly endpoint: string;
  readonly calls: readonly WireCall[];
  close(): Promise<void>;
}

function paramsOf(req: IncomingMessage, body: Buffer): Record<string, string> {
  const type = String(req.headers['content-type'] ?? '');
  if (/x-www-form-urlencoded/i.test(type)) return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  if (/json/i.test(type) && body.length > 0) {
    try {
      const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    } catch {
      return {};
    }
  }
  return {};
}

export async function startWireRecorder(upstream: string): Promise<WireRecorder> {
  const target = new URL(upstream);
  const calls: WireCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const { service, operation } = classify(req, body);
      const out = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          calls.push({ service, operation, params: paramsOf(req, body), status: answer.statusCode ?? 0 });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502).end(`wire recorder: ${err.message}`);
      });
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
