/**
 * The e-mail route's notifier, loaded on its first notification: the SNS client and the notifier module are a
 * dynamic import (their own bundle chunk), so a cold start, and a finding whose incident notifies nobody by e-mail,
 * never loads them.
 */
import type { AwsClientLookup } from '../aws/clients.js';
import type { IncidentNotification, Notifier } from '../notify/notification.js';

export function lazySnsNotifier(aws: AwsClientLookup, topicArn: string, extraLines: (n: IncidentNotification) => Promise<readonly string[]>): Notifier {
  let loading: Promise<Notifier> | undefined;
  const load = async (): Promise<Notifier> => {
    const [{ SNSClient }, { SnsNotifier }] = await Promise.all([import('@aws-sdk/client-sns'), import('../notify/sns-notifier.js')]);
    return new SnsNotifier(aws(SNSClient), topicArn, extraLines);
  };
  return {
    async notify(n) {
      loading ??= load();
      // A failed import is tried again on the next notification, not cached.
      loading.catch(() => (loading = undefined));
      await (await loading).notify(n);
    },
  };
}
