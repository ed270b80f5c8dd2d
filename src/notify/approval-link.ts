/**
 * Approval links: HMAC-SHA256 signed, expiring, single-use (the nonce is claimed in the journal when used).
 * The token carries no secret and grants one decision on one incident (one step, or every waiting step).
 * Links open a confirmation page (GET) and act only on POST, so link scanners and chat unfurlers cannot approve.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TourniquetError } from '../errors.js';

export interface ApprovalClaim {
  readonly incidentId: string;
  /** A step id, or `*` for every waiting step. */
  readonly stepId: string;
  readonly decision: 'approve' | 'deny';
  /** Epoch seconds. */
  readonly expiresAt: number;
  readonly nonce: string;
}

export class ApprovalLinkError extends TourniquetError {
  override readonly name = 'ApprovalLinkError';
  declare readonly code: 'approval.invalid';
  constructor(message: string) {
    super('approval.invalid', message);
  }
}

const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

function checkSecret(secret: string): void {
  if (secret.length < 32) throw new ApprovalLinkError(`the approval secret must be at least 32 characters (it has ${secret.length})`);
}

export function signApproval(claim: Omit<ApprovalClaim, 'nonce'> & { nonce?: string }, secret: string): string {
  checkSecret(secret);
  const full: ApprovalClaim = { ...claim, nonce: claim.nonce ?? randomBytes(16).toString('hex') };
  const payload = b64(JSON.stringify(full));
  return `${payload}.${b64(createHmac('sha256', secret).update(payload).digest())}`;
}

/** Checks signature and expiry; the caller must still claim the nonce (single use). */
export function verifyApproval(token: string, secret: string, nowSeconds: number): ApprovalClaim {
  // A short (guessable) key would let anyone forge links: refuse it here too, not only when signing.
  checkSecret(secret);
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new ApprovalLinkError('malformed approval token');
  const [payload, sig] = parts as [string, string];
  const expected = createHmac('sha256', secret).update(payload).digest();
  const got = Buffer.from(sig, 'base64url');
  // Node's decoder skips characters outside the alphabet, accepts padding and `+/`, and ignores the last character's
  // spare bits, so many texts decode to one MAC: only the exact text a link was signed with is accepted.
  if (b64(got) !== sig || got.length !== expected.length || !timingSafeEqual(got, expected)) throw new ApprovalLinkError('bad approval signature');
  let claim: unknown;
  try {
    claim = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch (err) {
    throw new ApprovalLinkError(`unreadable approval token: ${(err as Error).message}`);
  }
  if (!isClaim(claim)) throw new ApprovalLinkError('approval token has the wrong shape');
  if (claim.expiresAt <= nowSeconds) throw new ApprovalLinkError(`approval link expired at ${new Date(claim.expiresAt * 1000).toISOString()}`);
  return claim;
}

function isClaim(v: unknown): v is ApprovalClaim {
  if (v === null || typeof v !== 'object') return false;
  const c = v as Record<string, unknown>;
  return (
    typeof c.incidentId === 'string' &&
    typeof c.stepId === 'string' &&
    (c.decision === 'approve' || c.decision === 'deny') &&
    typeof c.expiresAt === 'number' &&
    typeof c.nonce === 'string' &&
    /^[0-9a-f]{32}$/.test(c.nonce)
  );
}

/** `<baseUrl>?t=<token>` */
export function approvalUrl(baseUrl: string, token: string): string {
  const u = new URL(baseUrl);
  u.searchParams.set('t', token);
  return u.toString();
}
