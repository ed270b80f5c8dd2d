/**
 * Approval links behind a Lambda function URL. GET shows what the link would do and a confirm button; only the
 * POST acts — link scanners and chat unfurlers fetch with GET, so they can never approve. The token is HMAC-signed
 * (secret in Secrets Manager), expires, and is single-use: its nonce is claimed in the journal with a conditional
 * write before the decision is applied.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { TourniquetError } from '../errors.js';
import { ApprovalLinkError, verifyApproval, type ApprovalClaim } from '../notify/approval-link.js';
import { readLambdaConfig } from './lambda-config.js';
import { buildLambdaRuntime, type LambdaRuntime } from './lambda-runtime.js';

const logger = new Logger({ serviceName: 'tourniquet-approvals' });
let runtime: Promise<LambdaRuntime> | undefined;

const html = (status: number, title: string, body: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode: status,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' },
  body: `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1>${body}</body></html>`,
});

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A Lambda function URL host; any other host (a forged Host header) never ends up in approval links. */
const FUNCTION_URL_HOST = /^[a-z0-9]+\.lambda-url\.[a-z0-9-]+\.on\.aws$/;

function getRuntime(event: APIGatewayProxyEventV2): Promise<LambdaRuntime> {
  if (runtime) return runtime;
  let config = readLambdaConfig();
  // The deployed function has no TOURNIQUET_APPROVAL_URL (its own URL would be a dependency cycle): the links in the
  // notifications sent after an approval point at the function URL the request came to.
  const host = event.requestContext?.domainName;
  if (!config.TOURNIQUET_APPROVAL_URL && host && FUNCTION_URL_HOST.test(host)) config = { ...config, TOURNIQUET_APPROVAL_URL: `https://${host}/` };
  const p = buildLambdaRuntime(config, (err) => logger.error('notification failed', { error: err as Error }));
  runtime = p;
  // A failed cold start (policy object unreadable, throttled secret) is retried on the next request, not cached.
  p.catch(() => {
    if (runtime === p) runtime = undefined;
  });
  return p;
}

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const rt = await getRuntime(event);
  const method = event.requestContext?.http?.method ?? 'GET';
  const token = method === 'POST' ? new URLSearchParams(decodeBody(event)).get('t') : event.queryStringParameters?.t;
  if (!token) return html(400, 'Missing approval token', '<p>This link is incomplete.</p>');
  const secretArn = rt.config.TOURNIQUET_APPROVAL_SECRET_ARN;
  const secret = secretArn ? await rt.secret(secretArn) : undefined;
  if (!secret) return html(503, 'Approvals are not configured', '<p>No approval secret is set.</p>');
  let claim: ApprovalClaim;
  try {
    claim = verifyApproval(token, secret, Math.floor(Date.now() / 1000));
  } catch (err) {
    if (err instanceof ApprovalLinkError) return html(403, 'Approval link refused', `<p>${esc(err.message)}</p>`);
    throw err;
  }
  const what = `${claim.decision} ${claim.stepId === '*' ? (claim.decision === 'approve' ? 'every waiting containment step' : 'every waiting step') : `step ${claim.stepId}`} of incident ${claim.incidentId}`;
  if (method !== 'POST') {
    return html(
      200,
      `Confirm: ${what}`,
      `<form method="post"><input type="hidden" name="t" value="${esc(token)}"><button type="submit">${esc(claim.decision === 'approve' ? 'Approve' : 'Deny')}</button></form>`,
    );
  }
  const first = await rt.journal.claimOnce(`approval-nonce#${claim.nonce}`, new Date(claim.expiresAt * 1000), new Date());
  if (!first) return html(409, 'This link was already used', '<p>Each approval link works once.</p>');
  const by = `approval-link:${event.requestContext?.http?.sourceIp ?? 'unknown'}`;
  const request = { ...(claim.stepId === '*' ? {} : { stepId: claim.stepId }), by, reason: 'signed approval link' };
  try {
    const result = claim.decision === 'approve' ? await rt.responder.approve(claim.incidentId, request) : await rt.responder.deny(claim.incidentId, request);
    logger.info('approval applied', { incidentId: claim.incidentId, decision: claim.decision, status: result.status });
    return html(200, `Done: ${what}`, `<p>Incident status: ${esc(result.status)}</p>`);
  } catch (err) {
    if (err instanceof TourniquetError && NOTHING_TO_DO.has(err.code)) return html(409, 'Nothing to do', `<p>${esc(err.message)}</p>`);
    // The nonce is claimed: this link will not work again, so the page says how to finish (it was a bare 500, or "Nothing
    // to do" for an AWS or journal failure). 502: the failure is behind this function, not in the request.
    logger.error('approval failed after its link was used', { incidentId: claim.incidentId, decision: claim.decision, error: err as Error });
    const command = `tourniquet ${claim.decision} ${claim.incidentId}${claim.stepId === '*' ? '' : ` --step ${claim.stepId}`}`;
    const why = err instanceof TourniquetError ? err.message : 'an unexpected error (see the function log)';
    return html(
      502,
      `Not done: ${what}`,
      `<p>The ${esc(claim.decision === 'approve' ? 'approval' : 'denial')} failed: ${esc(why)}</p><p>This link is now used up. Finish it from a terminal with <code>${esc(command)}</code>.</p>`,
    );
  }
}

/** Errors that say the request does not apply to the incident (already decided, released, nothing waiting): 409. */
const NOTHING_TO_DO: ReadonlySet<string> = new Set(['not-found', 'conflict', 'incident.observe', 'incident.nothing-waiting', 'incident.released']);

function decodeBody(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** For tests: forget the cached runtime (a new environment takes effect). */
export async function resetRuntimeForTests(): Promise<void> {
  const rt = runtime;
  runtime = undefined;
  if (rt) await (await rt.catch(() => undefined))?.journal.close();
}
