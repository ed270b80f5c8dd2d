/**
 * Approval-link security at the approval handler's edge (issue 12, "Security"): forged, tampered, expired and
 * replayed links are refused; only POST acts; the signature is compared in constant time. The runtime (journal,
 * responder, secret) is a recording stand-in so each case can prove that nothing was claimed or approved; the same
 * handler against moto is `test/integration/lambda-handlers.test.ts` ("approval handler").
 */
import * as crypto from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AwsCallError, TourniquetError } from '../../src/errors.js';
import { signApproval, verifyApproval } from '../../src/notify/approval-link.js';

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof crypto>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const SECRET = 's'.repeat(40);
const claimed = new Set<string>();
const approve = vi.fn(async () => ({ status: 'contained' }));
const deny = vi.fn(async () => ({ status: 'denied' }));
const claimOnce = vi.fn(async (key: string) => (claimed.has(key) ? false : (claimed.add(key), true)));

vi.mock('../../src/lambda/lambda-config.js', () => ({ readLambdaConfig: () => ({ TOURNIQUET_APPROVAL_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:approval' }) }));
vi.mock('../../src/lambda/lambda-runtime.js', () => ({
  buildLambdaRuntime: async (config: unknown) => ({ config, secret: async () => SECRET, journal: { claimOnce, close: async () => {} }, responder: { approve, deny } }),
}));

// The handler logs the failures these tests cause on purpose (as test/support/lambda-env.ts keeps them quiet).
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const { handler } = await import('../../src/lambda/approval-handler.js');

const now = (): number => Math.floor(Date.now() / 1000);
const link = (over: Partial<{ expiresAt: number; decision: 'approve' | 'deny' }> = {}, secret = SECRET): string =>
  signApproval({ incidentId: 'inc-20261203-abc', stepId: '*', decision: 'approve', expiresAt: now() + 3600, ...over }, secret);

/** A function-URL request: the token in the query (GET and other methods) or in the form body (POST). */
function request(method: string, token: string, where: 'query' | 'body' = method === 'POST' ? 'body' : 'query'): APIGatewayProxyEventV2 {
  return {
    requestContext: { http: { method, sourceIp: '192.0.2.1' }, domainName: 'x.lambda-url.us-east-1.on.aws' },
    ...(where === 'query' ? { queryStringParameters: { t: token } } : { body: `t=${encodeURIComponent(token)}`, isBase64Encoded: false }),
  } as unknown as APIGatewayProxyEventV2;
}

const nothingDone = (): void => {
  expect(claimOnce).not.toHaveBeenCalled();
  expect(approve).not.toHaveBeenCalled();
  expect(deny).not.toHaveBeenCalled();
};

beforeEach(() => {
  vi.clearAllMocks();
  claimed.clear();
});

describe('approval links at the handler', () => {
  it('a forged link (signed with another secret) is refused with 403; nothing is claimed or approved', async () => {
    const r = await handler(request('POST', link({}, 'f'.repeat(40))));
    expect([r.statusCode, r.body]).toEqual([403, expect.stringContaining('bad approval signature')]);
    nothingDone();
  });

  it('a tampered link (the decision changed under the original signature) is refused with 403', async () => {
    const [, sig] = link({ decision: 'deny' }).split('.');
    const [payload] = link({ decision: 'approve' }).split('.');
    const r = await handler(request('POST', `${payload}.${sig}`));
    expect(r.statusCode).toBe(403);
    nothingDone();
  });

  it('a link whose signature was altered to text that decodes to the same MAC (a padding "=", a space) is refused with 403', async () => {
    const [payload, sig] = link().split('.') as [string, string];
    for (const altered of [`${sig}=`, `${sig.slice(0, 5)} ${sig.slice(5)}`]) {
      const r = await handler(request('POST', `${payload}.${altered}`));
      expect([r.statusCode, r.body]).toEqual([403, expect.stringContaining('bad approval signature')]);
    }
    nothingDone();
  });

  it('an expired link is refused with 403, naming when it expired', async () => {
    const r = await handler(request('POST', link({ expiresAt: now() - 1 })));
    expect([r.statusCode, r.body]).toEqual([403, expect.stringContaining('approval link expired at')]);
    nothingDone();
  });

  it('a replayed link acts once: the second POST is 409 and approves nothing more', async () => {
    const token = link();
    expect((await handler(request('POST', token))).statusCode).toBe(200);
    const again = await handler(request('POST', token));
    expect(again.statusCode).toBe(409);
    expect(approve).toHaveBeenCalledTimes(1);
    expect(claimOnce).toHaveBeenCalledTimes(2);
  });

  it.each(['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('%s only shows the confirmation page; it never claims or approves', async (method) => {
    const r = await handler(request(method, link()));
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<form method="post">');
    nothingDone();
  });

  it('a POST carrying the token only in the URL (as a prefetcher would send it) does nothing', async () => {
    const r = await handler(request('POST', link(), 'query'));
    expect(r.statusCode).toBe(400);
    nothingDone();
  });
});

describe('signature comparison', () => {
  it('goes through crypto.timingSafeEqual over the whole MAC, for a right and a wrong signature alike', () => {
    const spy = vi.mocked(crypto.timingSafeEqual);
    const good = link();
    verifyApproval(good, SECRET, now());
    const [payload, sig] = good.split('.') as [string, string];
    const flipped = Buffer.from(sig, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => verifyApproval(`${payload}.${flipped.toString('base64url')}`, SECRET, now())).toThrow('bad approval signature');
    expect(spy).toHaveBeenCalledTimes(2);
    for (const [a, b] of spy.mock.calls) expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
  });
});

describe('an approval that fails after its link was used', () => {
  it.each([
    ['an unexpected error (was a bare 500)', new TypeError('boom'), 'an unexpected error (see the function log)'],
    ['an AWS call (was "Nothing to do", 409)', new AwsCallError('dynamodb', 'UpdateItem', 'InternalServerError', true, 'service unavailable'), 'dynamodb.UpdateItem failed'],
  ])('%s: 502 saying the link is used up and the command that finishes it', async (_name, error, why) => {
    approve.mockRejectedValueOnce(error);
    const r = await handler(request('POST', link()));
    expect(r.statusCode).toBe(502);
    expect(r.body).toContain(why);
    expect(r.body).toContain('This link is now used up. Finish it from a terminal with <code>tourniquet approve inc-20261203-abc</code>.');
    expect(claimOnce).toHaveBeenCalledTimes(1);
  });

  it('a step link names the step in the command', async () => {
    deny.mockRejectedValueOnce(new Error('boom'));
    const r = await handler(request('POST', signApproval({ incidentId: 'inc-20261203-abc', stepId: 'isolate-network', decision: 'deny', expiresAt: now() + 3600 }, SECRET)));
    expect(r.statusCode).toBe(502);
    expect(r.body).toContain('<code>tourniquet deny inc-20261203-abc --step isolate-network</code>');
  });

  it('a request that does not apply (nothing waits) is still 409 "Nothing to do"', async () => {
    approve.mockRejectedValueOnce(new TourniquetError('incident.nothing-waiting', 'no step of incident inc-20261203-abc waits for approval'));
    const r = await handler(request('POST', link()));
    expect([r.statusCode, r.body]).toEqual([409, expect.stringContaining('Nothing to do')]);
  });
});
