/** Routing: severity thresholds per channel, breaker/budget alerts everywhere, failures reported together. */
import { describe, expect, it } from 'vitest';
import { MemoryNotifier, type IncidentNotification, type Notifier } from '../../../src/notify/notification.js';
import { RoutingNotifier } from '../../../src/notify/routing-notifier.js';
import { notification } from './notification-fixture.js';

class FailingNotifier implements Notifier {
  calls = 0;
  constructor(private readonly error: Error) {}
  notify(): Promise<void> {
    this.calls++;
    return Promise.reject(this.error);
  }
}

function routes(): { email: MemoryNotifier; slack: MemoryNotifier; router: RoutingNotifier } {
  const email = new MemoryNotifier();
  const slack = new MemoryNotifier();
  return { email, slack, router: new RoutingNotifier([{ name: 'email', notifier: email }, { name: 'slack', notifier: slack, minSeverity: 7 }]) };
}

const sent = (m: MemoryNotifier): string[] => m.sent.map((n: IncidentNotification) => `${n.reason}@${n.severity}`);

describe('RoutingNotifier', () => {
  it('sends to every channel whose threshold the severity meets (the threshold itself included)', async () => {
    const { email, slack, router } = routes();
    for (const severity of [2, 6.9, 7, 8.5]) await router.notify(notification({ severity }));
    expect(sent(email)).toEqual(['new@2', 'new@6.9', 'new@7', 'new@8.5']);
    expect(sent(slack)).toEqual(['new@7', 'new@8.5']);
  });

  it('sends breaker and budget alerts to every channel whatever the severity', async () => {
    const { email, slack, router } = routes();
    await router.notify(notification({ severity: 1, reason: 'breaker' }));
    await router.notify(notification({ severity: 1, reason: 'budget' }));
    await router.notify(notification({ severity: 1, reason: 'failure' }));
    expect(sent(slack)).toEqual(['breaker@1', 'budget@1']);
    expect(sent(email)).toEqual(['breaker@1', 'budget@1', 'failure@1']);
  });

  it('delivers to the healthy channel when another fails, then throws an AggregateError naming the failed channel', async () => {
    const email = new MemoryNotifier();
    const boom = new Error('Slack webhook answered HTTP 500');
    const slack = new FailingNotifier(boom);
    const router = new RoutingNotifier([
      { name: 'slack', notifier: slack },
      { name: 'email', notifier: email },
    ]);
    const err = await router.notify(notification()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AggregateError);
    expect((err as AggregateError).message).toBe('notification failed on slack');
    expect((err as AggregateError).errors).toEqual([boom]);
    expect(slack.calls).toBe(1);
    expect(sent(email)).toEqual(['new@8']);
  });

  it('names every failed channel, in route order, with each cause', async () => {
    const a = new Error('a');
    const b = new Error('b');
    const router = new RoutingNotifier([
      { name: 'email', notifier: new FailingNotifier(a) },
      { name: 'ok', notifier: new MemoryNotifier() },
      { name: 'slack', notifier: new FailingNotifier(b) },
    ]);
    await expect(router.notify(notification())).rejects.toMatchObject({ message: 'notification failed on email, slack', errors: [a, b] });
  });

  it('does not call (nor fail on) a failing channel below its threshold', async () => {
    const failing = new FailingNotifier(new Error('down'));
    const email = new MemoryNotifier();
    const router = new RoutingNotifier([
      { name: 'slack', notifier: failing, minSeverity: 9 },
      { name: 'email', notifier: email },
    ]);
    await router.notify(notification({ severity: 5 }));
    expect(failing.calls).toBe(0);
    expect(sent(email)).toEqual(['new@5']);
  });

  it('does nothing without routes', async () => {
    await expect(new RoutingNotifier([]).notify(notification())).resolves.toBeUndefined();
  });
});
