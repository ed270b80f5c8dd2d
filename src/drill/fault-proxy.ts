/**
 * A fault-injection HTTP proxy for reliability tests and benchmarks: it listens on a free loopback port, forwards
 * every request to ONE upstream endpoint on the loopback interface (moto_server), and, per rule, answers instead
 * with AWS-shaped throttling or 5xx errors, resets the connection, adds latency, or holds a chosen call unanswered
 * (so a crash test can kill the caller at a known point). A test/bench tool: it never
 * forwards anywhere but the upstream it was given, and refuses a non-loopback upstream.
 *
 * Requests are classified like AWS does it: the service comes from the SigV4 credential scope
 * (`Credential=…/<date>/<region>/<service>/aws4_request`); the operation from `x-amz-target` (JSON protocols) or the
 * `Action=` parameter of the form body or query string (EC2 and the AWS query protocol). The body is read fully
 * before deciding (the Action is in it). REST services (S3, GuardDuty …) have no operation name here: rules can
 * select them by service only.
 *
 * Reproducible: the decision for the n-th request of an operation matched by a rule depends only on the seed, the
 * rule, the service, the operation and n — not on how concurrent calls to other operations interleave.
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EnvironmentError, UsageError, describeValue } from '../errors.js';

export type Fault =
  /** The service's throttling answer (EC2 503 RequestLimitExceeded, query 400 Throttling, JSON 400 ThrottlingException …). */
  | { readonly kind: 'throttle' }
  /** A server-side failure: 500 (InternalError / InternalFailure) or 503 (Unavailable / ServiceUnavailable). */
  | { readonly kind: 'server-error'; readonly status?: 500 | 503 }
  /**
   * The connection is destroyed without an answer: before the request reaches the upstream (default), or after the
   * upstream has processed it (`afterUpstream`: the change happened but the caller cannot know — idempotency test).
   */
  | { readonly kind: 'reset'; readonly afterUpstream?: boolean }
  /** Waits `ms` before forwarding; later rules are still evaluated. */
  | { readonly kind: 'latency'; readonly ms: number }
  /**
   * The request is held and never answered while the caller stays connected: before it reaches the upstream (default),
   * or after the upstream has processed it (`afterUpstream`). The caller stalls at a known point — a crash test kills
   * it there. Closing the proxy (or the caller's connection) ends the hold.
   */
  | { readonly kind: 'hold'; readonly afterUpstream?: boolean };

export type FaultKind = Fault['kind'];

export interface FaultRule {
  /** For stats and logs (default `rule-<index>`). */
  readonly name?: string;
  /** Credential-scope service names (`ec2`, `iam`, `autoscaling`, `elasticloadbalancing`, `sts`, `s3` …); any when absent. */
  readonly services?: readonly string[];
  /** Operation names (`ModifyNetworkInterfaceAttribute`) or patterns; any when absent. REST requests never match a list. */
  readonly operations?: readonly (string | RegExp)[];
  /** Only operations that change something (not Describe*, Get*, List*). */
  readonly mutatingOnly?: boolean;
  /** Chance that a matching request gets the fault (0–1, default 1). */
  readonly probability?: number;
  /** Only the first N requests that match the selectors (and reach this rule: an earlier rule's fault ends the list). */
  readonly first?: number;
  /** Let the first N matching requests through untouched: the rule applies from the (N+1)-th on. */
  readonly skipFirst?: number;
  /** At most this many injections by this rule. */
  readonly limit?: number;
  readonly fault: Fault;
}

export interface FaultProxyOptions {
  /** `http://127.0.0.1:<port>` (or localhost / [::1]): the only place requests go. */
  readonly upstream: string;
  readonly rules?: readonly FaultRule[];
  /** PRNG seed (default 1). */
  readonly seed?: number;
  /** Largest request body accepted (default 16 MiB; larger → 413). */
  readonly maxBodyBytes?: number;
  /** Upper bound for any latency rule (default 30 s). */
  readonly maxLatencyMs?: number;
  /** Upstream answer deadline (default 120 s; past it → 504). */
  readonly upstreamTimeoutMs?: number;
  /** Kept injection events (default 10 000; older ones are dropped, counters stay exact). */
  readonly maxEvents?: number;
  /**
   * Forward one request at a time. For an emulator that does not make conditional writes atomic under concurrent
   * requests (moto's DynamoDB), as DynamoDB does: serialized, each write's condition holds.
   */
  readonly serialize?: boolean;
}

export type Protocol = 'ec2' | 'query' | 'json' | 'rest-xml' | 'rest-json';

export interface InjectionEvent {
  readonly at: string;
  readonly rule: string;
  readonly kind: FaultKind;
  readonly service: string;
  readonly operation: string;
}

export interface OperationStats {
  readonly service: string;
  readonly operation: string;
  requests: number;
  forwarded: number;
  throttle: number;
  'server-error': number;
  reset: number;
  latency: number;
  hold: number;
}

export interface FaultStats {
  readonly requests: number;
  /** Requests that reached the upstream (including resets after the upstream). */
  readonly forwarded: number;
  /** The upstream failed or timed out (answered 502/504). */
  readonly upstreamErrors: number;
  readonly injected: Readonly<Record<FaultKind, number>>;
  /** Sorted by service, then operation. */
  readonly byOperation: readonly Readonly<OperationStats>[];
  readonly events: readonly InjectionEvent[];
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to the code under test as its endpoint. */
  readonly endpoint: string;
  readonly port: number;
  stats(): FaultStats;
  /** Resolves at the first injection by the named rule (at once if it already happened). */
  whenInjected(rule: string): Promise<InjectionEvent>;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  // The body is already buffered: no 100-continue handshake with the upstream.
  'expect',
]);
const READ_ONLY = /^(Describe|Get|List)/;

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = parseUpstream(options.upstream);
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const maxLatency = options.maxLatencyMs ?? 30_000;
  const upstreamTimeout = options.upstreamTimeoutMs ?? 120_000;
  const maxEvents = options.maxEvents ?? 10_000;
  const seed = options.seed ?? 1;
  const rules = (options.rules ?? []).map((r, i) => validateRule(r, i, maxLatency));

  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const counters = { requests: 0, forwarded: 0, upstreamErrors: 0 };
  const injected: Record<FaultKind, number> = { throttle: 0, 'server-error': 0, reset: 0, latency: 0, hold: 0 };
  const waiters = new Map<string, Array<(e: InjectionEvent) => void>>();
  const firstInjection = new Map<string, InjectionEvent>();
  /** Ends every hold when the proxy closes. */
  const holds = new Set<() => void>();
  // Keys are built from request data: a Map, never an object, so a name such as `__proto__` stays data.
  const byOperation = new Map<string, OperationStats>();
  const events: InjectionEvent[] = [];

  const opStats = (service: string, operation: string): OperationStats => {
    const key = `${service}\u0000${operation}`;
    let s = byOperation.get(key);
    if (s === undefined) {
      s = { service, operation, requests: 0, forwarded: 0, throttle: 0, 'server-error': 0, reset: 0, latency: 0, hold: 0 };
      byOperation.set(key, s);
    }
    return s;
  };
  const note = (rule: CompiledRule, kind: FaultKind, req: ClassifiedRequest): void => {
    injected[kind]++;
    opStats(req.service, req.operation)[kind]++;
    const event = { at: new Date().toISOString(), rule: rule.name, kind, service: req.service, operation: req.operation };
    events.push(event);
    if (events.length > maxEvents) events.splice(0, events.length - maxEvents);
    if (!firstInjection.has(rule.name)) {
      firstInjection.set(rule.name, event);
      for (const resolve of waiters.get(rule.name) ?? []) resolve(event);
      waiters.delete(rule.name);
    }
  };
  /** Never answers: resolves when the caller's connection closes or the proxy does. */
  const hold = (req: IncomingMessage): Promise<void> =>
    new Promise((resolve) => {
      const end = (): void => {
        holds.delete(end);
        resolve();
      };
      holds.add(end);
      req.socket.once('close', end);
    });

  /** The faults for one request, in rule order: latencies add up; the first terminating fault ends the list. */
  const decide = (req: ClassifiedRequest): { latencyMs: number; terminal?: { rule: CompiledRule; fault: Exclude<Fault, { kind: 'latency' }> } } => {
    let latencyMs = 0;
    for (const rule of rules) {
      if (!rule.matches(req)) continue;
      rule.matched++;
      if (rule.first !== undefined && rule.matched > rule.first) continue;
      if (rule.skipFirst !== undefined && rule.matched <= rule.skipFirst) continue;
      const opKey = `${req.service}\u0000${req.operation}`;
      const n = (rule.perOperation.get(opKey) ?? 0) + 1;
      rule.perOperation.set(opKey, n);
      if (rule.limit !== undefined && rule.injected >= rule.limit) continue;
      if (rule.probability < 1 && draw(seed, rule.index, req.service, req.operation, n) >= rule.probability) continue;
      rule.injected++;
      note(rule, rule.fault.kind, req);
      if (rule.fault.kind === 'latency') {
        latencyMs += rule.fault.ms;
        continue;
      }
      return { latencyMs: Math.min(latencyMs, maxLatency), terminal: { rule, fault: rule.fault } };
    }
    return { latencyMs: Math.min(latencyMs, maxLatency) };
  };

  let queue: Promise<unknown> = Promise.resolve();
  const forward = (req: IncomingMessage, body: Buffer): Promise<UpstreamAnswer> => {
    if (options.serialize !== true) return forwardNow(req, body);
    const next = queue.then(() => forwardNow(req, body));
    queue = next.catch(() => undefined);
    return next;
  };
  const forwardNow = (req: IncomingMessage, body: Buffer): Promise<UpstreamAnswer> =>
    new Promise((resolve, reject) => {
      const headers = forwardHeaders(req.headers);
      headers['content-length'] = String(body.length);
      const out = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: pathOf(req.url), headers, agent, timeout: upstreamTimeout },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      out.on('timeout', () => out.destroy(new EnvironmentError(`upstream ${upstream.origin} did not answer within ${upstreamTimeout} ms`)));
      out.on('error', reject);
      out.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    counters.requests++;
    const body = await readBody(req, maxBody);
    if (body === 'too-large') {
      res.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end(`request body over ${maxBody} bytes`);
      return;
    }
    const classified = classify(req, body);
    opStats(classified.service, classified.operation).requests++;
    const { latencyMs, terminal } = decide(classified);
    if (latencyMs > 0) await delay(latencyMs);
    if (terminal?.fault.kind === 'hold' && terminal.fault.afterUpstream !== true) {
      await hold(req);
      return;
    }
    if (terminal !== undefined && terminal.fault.kind !== 'reset' && terminal.fault.kind !== 'hold') {
      const answer = terminal.fault.kind === 'throttle' ? throttleAnswer(classified.protocol) : serverErrorAnswer(classified.protocol, terminal.fault.status ?? 500);
      res.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    if (terminal?.fault.kind === 'reset' && terminal.fault.afterUpstream !== true) {
      req.socket.destroy();
      return;
    }
    let answer: UpstreamAnswer;
    try {
      answer = await forward(req, body);
    } catch (err) {
      counters.upstreamErrors++;
      const timedOut = err instanceof EnvironmentError;
      res.writeHead(timedOut ? 504 : 502, { 'content-type': 'text/plain' }).end(`fault proxy: upstream failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    counters.forwarded++;
    opStats(classified.service, classified.operation).forwarded++;
    if (terminal?.fault.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (terminal?.fault.kind === 'hold') {
      await hold(req);
      return;
    }
    // A HEAD answer's length is the object's (S3 HeadObject reads it); 204/304 have none of their own.
    const keepLength = req.method === 'HEAD' || answer.status === 204 || answer.status === 304;
    res.writeHead(answer.status, forwardHeaders(answer.headers, keepLength ? undefined : answer.body.length)).end(answer.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A client that went away mid-request, or a bug here: never leave the caller hanging.
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`fault proxy: ${err instanceof Error ? err.message : String(err)}`);
      else res.destroy();
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stats: () => ({
      ...counters,
      injected: { ...injected },
      byOperation: [...byOperation.values()]
        .map((s) => ({ ...s }))
        .sort((a, b) => a.service.localeCompare(b.service) || a.operation.localeCompare(b.operation)),
      events: [...events],
    }),
    whenInjected: (rule) => {
      const seen = firstInjection.get(rule);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.set(rule, [...(waiters.get(rule) ?? []), resolve]));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const end of [...holds]) end();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        agent.destroy();
      }),
  };
}

interface ClassifiedRequest {
  readonly service: string;
  /** The API operation, or `(rest) <METHOD>` for REST protocols. */
  readonly operation: string;
  readonly protocol: Protocol;
  readonly isRest: boolean;
}

/** The service, operation and protocol of a signed AWS request. */
export function classify(req: { headers: IncomingHttpHeaders; method?: string | undefined; url?: string | undefined }, body: Buffer): ClassifiedRequest {
  const service = serviceOf(req.headers) ?? 'unknown';
  const target = headerValue(req.headers['x-amz-target']);
  if (target !== undefined) {
    const dot = target.lastIndexOf('.');
    return { service, operation: dot >= 0 ? target.slice(dot + 1) : target, protocol: 'json', isRest: false };
  }
  const action = actionOf(req, body);
  if (action !== undefined) return { service, operation: action, protocol: service === 'ec2' ? 'ec2' : 'query', isRest: false };
  return { service, operation: `(rest) ${req.method ?? 'GET'}`, protocol: service === 's3' ? 'rest-xml' : 'rest-json', isRest: true };
}

function serviceOf(headers: IncomingHttpHeaders): string | undefined {
  const auth = headerValue(headers['authorization']);
  const m = auth !== undefined ? /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/.exec(auth) : null;
  return m?.[1];
}

function actionOf(req: { headers: IncomingHttpHeaders; url?: string | undefined }, body: Buffer): string | undefined {
  const contentType = headerValue(req.headers['content-type']) ?? '';
  if (/application\/x-www-form-urlencoded/i.test(contentType) && body.length > 0) {
    const action = new URLSearchParams(body.toString('utf8')).get('Action');
    if (action) return action;
  }
  const q = (req.url ?? '').indexOf('?');
  if (q >= 0) {
    const action = new URLSearchParams((req.url ?? '').slice(q + 1)).get('Action');
    if (action) return action;
  }
  return undefined;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface UpstreamAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What each protocol's throttling looks like on the wire (AWS's documented error shapes). */
export function throttleAnswer(protocol: Protocol): Answer {
  const id = randomUUID();
  switch (protocol) {
    case 'ec2':
      return xml(503, id, ec2Error('RequestLimitExceeded', 'Request limit exceeded.', id));
    case 'query':
      return xml(400, id, queryError('Sender', 'Throttling', 'Rate exceeded', id));
    case 'json':
      return json(400, id, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    case 'rest-json': {
      const a = json(429, id, { message: 'Rate exceeded' });
      return { ...a, headers: { ...a.headers, 'x-amzn-errortype': 'ThrottlingException' } };
    }
    case 'rest-xml':
      return xml(503, id, `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>${id}</RequestId></Error>`);
  }
}

export function serverErrorAnswer(protocol: Protocol, status: 500 | 503): Answer {
  const id = randomUUID();
  const unavailable = status === 503;
  switch (protocol) {
    case 'ec2':
      return xml(status, id, unavailable ? ec2Error('Unavailable', 'The server is overloaded and cannot handle the request.', id) : ec2Error('InternalError', 'An internal error has occurred.', id));
    case 'query':
      return xml(status, id, queryError('Receiver', unavailable ? 'ServiceUnavailable' : 'InternalFailure', unavailable ? 'Service is unavailable.' : 'An internal error has occurred.', id));
    case 'json':
    case 'rest-json': {
      const type = unavailable ? 'ServiceUnavailableException' : 'InternalFailure';
      const a = json(status, id, { __type: type, message: 'An internal error has occurred.' });
      return protocol === 'rest-json' ? { ...a, headers: { ...a.headers, 'x-amzn-errortype': type } } : a;
    }
    case 'rest-xml':
      return xml(status, id, `<Error><Code>${unavailable ? 'ServiceUnavailable' : 'InternalError'}</Code><Message>An internal error has occurred.</Message><RequestId>${id}</RequestId></Error>`);
  }
}

function ec2Error(code: string, message: string, id: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${id}</RequestID></Response>`;
}

function queryError(type: 'Sender' | 'Receiver', code: string, message: string, id: string): string {
  return `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`;
}

function xml(status: number, id: string, body: string): Answer {
  return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': id }, body };
}

function json(status: number, id: string, body: object): Answer {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': id }, body: JSON.stringify(body) };
}

interface CompiledRule {
  readonly index: number;
  readonly name: string;
  readonly probability: number;
  readonly first?: number;
  readonly limit?: number;
  readonly skipFirst?: number;
  readonly fault: Fault;
  readonly matches: (req: ClassifiedRequest) => boolean;
  readonly perOperation: Map<string, number>;
  matched: number;
  injected: number;
}

function validateRule(rule: FaultRule, index: number, maxLatency: number): CompiledRule {
  const name = rule.name ?? `rule-${index}`;
  const bad = (what: string, value: unknown): never => {
    throw new UsageError(`fault rule ${name}: ${what}, received ${describeValue(value)}`);
  };
  const probability = rule.probability ?? 1;
  if (!(probability >= 0 && probability <= 1)) bad('probability must be between 0 and 1', rule.probability);
  for (const [key, v] of [['first', rule.first], ['limit', rule.limit], ['skipFirst', rule.skipFirst]] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) bad(`${key} must be a non-negative integer`, v);
  }
  const fault = rule.fault;
  if (fault.kind === 'latency' && !(Number.isFinite(fault.ms) && fault.ms >= 0 && fault.ms <= maxLatency)) {
    bad(`latency must be 0–${maxLatency} ms`, fault.ms);
  }
  if (fault.kind === 'server-error' && fault.status !== undefined && fault.status !== 500 && fault.status !== 503) {
    bad('server-error status must be 500 or 503', fault.status);
  }
  if (!['throttle', 'server-error', 'reset', 'latency', 'hold'].includes(fault.kind)) bad('unknown fault kind', fault.kind);
  const services = rule.services !== undefined ? new Set(rule.services) : undefined;
  const operations = rule.operations;
  return {
    index,
    name,
    probability,
    ...(rule.first !== undefined ? { first: rule.first } : {}),
    ...(rule.limit !== undefined ? { limit: rule.limit } : {}),
    ...(rule.skipFirst !== undefined ? { skipFirst: rule.skipFirst } : {}),
    fault,
    perOperation: new Map(),
    matched: 0,
    injected: 0,
    matches: (req) => {
      if (services !== undefined && !services.has(req.service)) return false;
      if (rule.mutatingOnly === true && (req.isRest || READ_ONLY.test(req.operation))) return false;
      if (operations !== undefined) {
        if (req.isRest) return false;
        return operations.some((o) => (typeof o === 'string' ? o === req.operation : o.test(req.operation)));
      }
      return true;
    },
  };
}

/** A uniform [0, 1) draw from (seed, rule, service, operation, n): FNV-1a into mulberry32. */
function draw(seed: number, ruleIndex: number, service: string, operation: string, n: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}|${ruleIndex}|${service}|${operation}|${n}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193);
  }
  let t = (h + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function parseUpstream(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`fault proxy upstream is not a URL: ${describeValue(value)}`);
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname) || url.port === '') {
    throw new UsageError(`fault proxy upstream must be http://<loopback host>:<port> (a local emulator), received ${describeValue(value)}`);
  }
  return url;
}

/** The path and query only: an absolute-form request target (`GET http://elsewhere/…`) never picks the destination. */
function pathOf(url: string | undefined): string {
  if (url === undefined || url === '') return '/';
  if (url.startsWith('/')) return url;
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return '/';
  }
}

function forwardHeaders(headers: IncomingHttpHeaders, contentLength?: number): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || HOP_BY_HOP.has(k.toLowerCase())) continue;
    out[k] = v;
  }
  if (contentLength !== undefined) out['content-length'] = String(contentLength);
  return out;
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > max) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
