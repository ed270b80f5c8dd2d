/** Approval links: HMAC-signed, expiring tokens; any change to the payload or the signature is refused. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TourniquetError } from '../../../src/errors.js';
import { ApprovalLinkError, approvalUrl, signApproval, verifyApproval, type ApprovalClaim } from '../../../src/notify/approval-link.js';

const SECRET = 'k'.repeat(16) + 'approval-secret-0123456789';
const NOW = 1_760_000_000;
const claim = { incidentId: 'inc-20250101-abc', stepId: 'isolate-network', decision: 'approve' as const, expiresAt: NOW + 3600 };

const b64 = (s: string): string => Buffer.from(s).toString('base64url');
/** A correctly signed token over any payload text: tests the checks that come after the signature. */
const forge = (payloadJson: string, secret = SECRET): string => {
  const payload = b64(payloadJson);
  return `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
};

function refused(fn: () => unknown): ApprovalLinkError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApprovalLinkError);
    expect(err).toBeInstanceOf(TourniquetError);
    expect((err as ApprovalLinkError).code).toBe('approval.invalid');
    return err as ApprovalLinkError;
  }
  throw new Error('expected an ApprovalLinkError');
}

describe('signApproval / verifyApproval', () => {
  it('round-trips the claim and adds a random 128-bit nonce', () => {
    const t1 = signApproval(claim, SECRET);
    const t2 = signApproval(claim, SECRET);
    expect(t1).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const v1 = verifyApproval(t1, SECRET, NOW);
    const v2 = verifyApproval(t2, SECRET, NOW);
    expect(v1).toEqual({ ...claim, nonce: expect.stringMatching(/^[0-9a-f]{32}$/) as string });
    expect(v1.nonce).not.toBe(v2.nonce);
  });

  it('keeps a given nonce and the `*` (every waiting step) and deny decisions', () => {
    const nonce = '0123456789abcdef0123456789abcdef';
    const t = signApproval({ ...claim, stepId: '*', decision: 'deny', nonce }, SECRET);
    expect(verifyApproval(t, SECRET, NOW)).toEqual<ApprovalClaim>({ ...claim, stepId: '*', decision: 'deny', nonce });
  });

  it('refuses an expired link, at the exact second of expiry too', () => {
    const t = signApproval(claim, SECRET);
    expect(verifyApproval(t, SECRET, claim.expiresAt - 1).incidentId).toBe(claim.incidentId);
    expect(refused(() => verifyApproval(t, SECRET, claim.expiresAt)).message).toContain(`expired at ${new Date(claim.expiresAt * 1000).toISOString()}`);
    expect(refused(() => verifyApproval(t, SECRET, claim.expiresAt + 86_400)).message).toMatch(/expired/);
  });

  it('refuses a tampered payload (another incident, step or decision) under the original signature', () => {
    const t = signApproval({ ...claim, decision: 'deny' }, SECRET);
    const [payload, sig] = t.split('.') as [string, string];
    const original = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as ApprovalClaim;
    for (const change of [{ decision: 'approve' }, { incidentId: 'inc-other' }, { stepId: '*' }, { expiresAt: NOW + 10 ** 9 }]) {
      const tampered = `${b64(JSON.stringify({ ...original, ...change }))}.${sig}`;
      expect(refused(() => verifyApproval(tampered, SECRET, NOW)).message).toBe('bad approval signature');
    }
  });

  it('refuses a tampered or foreign signature', () => {
    const t = signApproval(claim, SECRET);
    const [payload, sig] = t.split('.') as [string, string];
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expect(refused(() => verifyApproval(`${payload}.${flipped}`, SECRET, NOW)).message).toBe('bad approval signature');
    expect(refused(() => verifyApproval(`${payload}.${sig.slice(0, -2)}`, SECRET, NOW)).message).toBe('bad approval signature');
    expect(refused(() => verifyApproval(`${payload}.${sig}AAAA`, SECRET, NOW)).message).toBe('bad approval signature');
    // Signed with another key.
    expect(refused(() => verifyApproval(signApproval(claim, `${SECRET}-other`), SECRET, NOW)).message).toBe('bad approval signature');
  });

  it('refuses a signature written differently that decodes to the same MAC (padding, spaces, characters outside base64url, the last character’s spare bits, standard base64)', () => {
    const t = signApproval(claim, SECRET);
    const [payload, sig] = t.split('.') as [string, string];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // 32 bytes take 43 characters: the last one carries 4 bits, so flipping its lowest bit decodes to the same bytes.
    const spareBits = alphabet[alphabet.indexOf(sig.at(-1)!) ^ 1]!;
    const variants = [`${sig}=`, `${sig}==`, `${sig.slice(0, 10)} ${sig.slice(10)}`, `${sig.slice(0, 10)}!${sig.slice(10)}`, `${sig.slice(0, -1)}${spareBits}`];
    const standard = sig.replace(/-/g, '+').replace(/_/g, '/');
    if (standard !== sig) variants.push(standard);
    for (const v of variants) {
      expect(Buffer.from(v, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true); // the same MAC bytes …
      expect(refused(() => verifyApproval(`${payload}.${v}`, SECRET, NOW)).message).toBe('bad approval signature'); // … refused
    }
    expect(verifyApproval(t, SECRET, NOW).incidentId).toBe(claim.incidentId);
  });

  it('refuses malformed tokens', () => {
    for (const t of ['', 'abc', '.', 'a.', '.b', 'a.b.c', signApproval(claim, SECRET) + '.x']) {
      expect(refused(() => verifyApproval(t, SECRET, NOW)).message).toBe('malformed approval token');
    }
  });

  it('refuses a secret shorter than 32 characters, when signing and when verifying', () => {
    const short = 'x'.repeat(31);
    expect(refused(() => signApproval(claim, short)).message).toMatch(/at least 32 characters \(it has 31\)/);
    // A token made with a short key (a guessable one) is not accepted even though its signature matches.
    const weak = forge(JSON.stringify({ ...claim, nonce: '0123456789abcdef0123456789abcdef' }), short);
    expect(refused(() => verifyApproval(weak, short, NOW)).message).toMatch(/at least 32 characters/);
    expect(signApproval(claim, 'x'.repeat(32))).toContain('.');
  });

  it('refuses a correctly signed payload of the wrong shape', () => {
    const nonce = '0123456789abcdef0123456789abcdef';
    const good = { ...claim, nonce };
    const wrong: unknown[] = [
      null,
      [],
      'approve',
      { ...good, decision: 'release' },
      { ...good, expiresAt: String(good.expiresAt) },
      { ...good, incidentId: 42 },
      { ...good, stepId: undefined },
      { ...good, nonce: 'abc' },
      { ...good, nonce: nonce.toUpperCase() },
    ];
    for (const w of wrong) {
      expect(refused(() => verifyApproval(forge(JSON.stringify(w)), SECRET, NOW)).message).toBe('approval token has the wrong shape');
    }
    // signApproval does not check a caller's nonce; verify does.
    expect(refused(() => verifyApproval(signApproval({ ...claim, nonce: 'not-hex' }, SECRET), SECRET, NOW)).message).toBe('approval token has the wrong shape');
  });

  it('refuses a correctly signed payload that is not JSON', () => {
    expect(refused(() => verifyApproval(forge('{"incidentId":'), SECRET, NOW)).message).toMatch(/^unreadable approval token: /);
  });
});

describe('approvalUrl', () => {
  it('sets t on the base URL, keeping its other parameters, and the token survives URL parsing', () => {
    const t = signApproval(claim, SECRET);
    const url = approvalUrl('https://abc.lambda-url.us-east-1.on.aws/?lang=en', t);
    const parsed = new URL(url);
    expect(parsed.origin).toBe('https://abc.lambda-url.us-east-1.on.aws');
    expect(parsed.searchParams.get('lang')).toBe('en');
    expect(parsed.searchParams.get('t')).toBe(t);
    expect(verifyApproval(parsed.searchParams.get('t')!, SECRET, NOW).stepId).toBe('isolate-network');
  });

  it('replaces a t already on the base URL', () => {
    expect(new URL(approvalUrl('https://example.invalid/approve?t=old', 'new')).searchParams.getAll('t')).toEqual(['new']);
  });
});
