import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { renderText, type IncidentNotification, type Notifier } from './notification.js';

/** Publishes the plain-text rendering to an SNS topic (e-mail subscribers). */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
    private readonly extraLines: (n: IncidentNotification) => Promise<readonly string[]> | readonly string[] = () => [],
  ) {}

  async notify(n: IncidentNotification): Promise<void> {
    // SNS subjects: ASCII, no newlines, at most 100 characters.
    const subject = `[tourniquet] ${(n.manualSteps?.length ?? 0) > 0 ? 'ACTION REQUIRED, ' : ''}${n.status}: ${n.findingType} on ${n.subject.id}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
    await this.sns.send(new PublishCommand({ TopicArn: this.topicArn, Subject: subject, Message: [renderText(n), ...(await this.extraLines(n))].join('\n') }));
  }
}
