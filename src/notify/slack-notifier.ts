import { TourniquetError } from '../errors.js';
import type { IncidentNotification, Notifier } from './notification.js';
import { renderSlackMessage, type SlackLinks } from './slack-message.js';

/** Posts a Block Kit message to a Slack incoming webhook (its URL is a secret: resolved lazily, never logged). */
export class SlackNotifier implements Notifier {
  constructor(
    private readonly webhookUrl: () => Promise<string | undefined>,
    private readonly linksFor: (n: IncidentNotification) => Promise<SlackLinks> | SlackLinks = () => ({}),
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async notify(n: IncidentNotification): Promise<void> {
    const url = await this.webhookUrl();
    if (!url) return; // not configured
    const res = await this.fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(renderSlackMessage(n, await this.linksFor(n))),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new TourniquetError('notify.slack', `Slack webhook answered HTTP ${res.status}`);
  }
}
