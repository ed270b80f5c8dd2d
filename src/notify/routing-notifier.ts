import type { IncidentNotification, Notifier } from './notification.js';

export interface Route {
  readonly name: string;
  readonly notifier: Notifier;
  /** Only findings at or above this severity (default 0: everything). */
  readonly minSeverity?: number;
}

/**
 * Sends each notification to every route whose severity threshold it meets. A failing channel does not stop the
 * others; the failures are reported together (never swallowed).
 */
export class RoutingNotifier implements Notifier {
  constructor(private readonly routes: readonly Route[]) {}

  async notify(n: IncidentNotification): Promise<void> {
    const chosen = this.routes.filter((r) => n.severity >= (r.minSeverity ?? 0) || n.reason === 'breaker' || n.reason === 'budget');
    const results = await Promise.allSettled(chosen.map((r) => r.notifier.notify(n)));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ route: chosen[i]!.name, error: r.reason as unknown }] : []));
    if (failed.length) {
      throw new AggregateError(failed.map((f) => f.error), `notification failed on ${failed.map((f) => f.route).join(', ')}`);
    }
  }
}
