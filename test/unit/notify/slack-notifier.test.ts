/** The Slack webhook sender, with an injected fetch: what it posts, when it posts nothing, and HTTP failures. */
import { describe, expect, it } from 'vitest';
import { TourniquetError } from '../../../src/errors.js';
import { renderSlackMessage, type SlackLinks } from '../../../src/notify/slack-message.js';
import { SlackNotifier } from '../../../src/notify/slack-notifier.js';
import { notification } from './notification-fixture.js';

const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/XXXXXXXX';

function recordingFetch(status = 200): { fetch: typeof fetch; calls: Array<{ url: string; init: RequestInit }> } {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const impl = (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ url: String(url), init: init ?? {} });
    return Promise.resolve(new Response(status === 200 ? 'ok' : 'invalid_payload', { status }));
  };
  return { fetch: impl as typeof fetch, calls };
}

describe('SlackNotifier', () => {
  it('POSTs the Block Kit message as JSON to the webhook, with the approval links', async () => {
    const links: SlackLinks = { approvals: [{ stepId: '*', approveUrl: 'https://example.invalid/approve?t=a', denyUrl: 'https://example.invalid/approve?t=d' }] };
    const f = recordingFetch();
    const n = notification();
    await new SlackNotifier(() => Promise.resolve(WEBHOOK), () => links, f.fetch).notify(n);
    expect(f.calls).toHaveLength(1);
    const { url, init } = f.calls[0]!;
    expect(url).toBe(WEBHOOK);
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({ 'content-type': 'application/json' });
    expect(init.signal).toBeInstanceOf(AbortSignal);
    const body = JSON.parse(init.body as string) as { text: string; blocks: unknown[] };
    expect(body).toEqual(renderSlackMessage(n, links));
    expect(JSON.stringify(body.blocks)).toContain('"url":"https://example.invalid/approve?t=a"');
  });

  it('sends nothing, and signs no link, when the webhook is not configured', async () => {
    const f = recordingFetch();
    let linksAsked = 0;
    await new SlackNotifier(
      () => Promise.resolve(undefined),
      () => {
        linksAsked++;
        return {};
      },
      f.fetch,
    ).notify(notification());
    expect(f.calls).toEqual([]);
    expect(linksAsked).toBe(0);
  });

  it('throws a TourniquetError naming the HTTP status when Slack refuses, without the webhook URL', async () => {
    for (const status of [400, 403, 404, 500]) {
      const f = recordingFetch(status);
      const err = await new SlackNotifier(() => Promise.resolve(WEBHOOK), undefined, f.fetch).notify(notification()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TourniquetError);
      expect((err as TourniquetError).code).toBe('notify.slack');
      expect((err as Error).message).toBe(`Slack webhook answered HTTP ${status}`);
      expect((err as Error).message).not.toContain('hooks.slack.com');
      expect(f.calls).toHaveLength(1);
    }
  });

  it('lets a network failure through', async () => {
    const failing = (() => Promise.reject(new TypeError('fetch failed'))) as typeof fetch;
    await expect(new SlackNotifier(() => Promise.resolve(WEBHOOK), undefined, failing).notify(notification())).rejects.toThrow('fetch failed');
  });

  it('lets a failure to read the webhook secret through', async () => {
    const f = recordingFetch();
    await expect(new SlackNotifier(() => Promise.reject(new Error('AccessDeniedException')), undefined, f.fetch).notify(notification())).rejects.toThrow('AccessDeniedException');
    expect(f.calls).toEqual([]);
  });
});
