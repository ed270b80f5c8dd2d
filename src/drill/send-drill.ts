/**
 * `drill --send`: puts the drill finding on EventBridge as an event the deployed rule accepts when drills are enabled
 * (`tourniquet:drillEvents`). The source is `tourniquet.drill`: `aws.guardduty` is reserved for AWS, and the
 * detail-type is GuardDuty's, so the responder reads it like any finding.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { TourniquetError } from '../errors.js';
import { AWS_HTTP_TIMEOUTS } from '../aws/http-timeouts.js';
import { wrapAwsError } from '../aws/wrap-aws-error.js';

export const DRILL_EVENT_SOURCE = 'tourniquet.drill';
export const FINDING_DETAIL_TYPE = 'GuardDuty Finding';

export async function sendDrill(finding: Record<string, unknown>, o: { region: string; endpoint?: string; eventBus?: string }): Promise<string> {
  const client = new EventBridgeClient({ region: o.region, requestHandler: AWS_HTTP_TIMEOUTS, ...(o.endpoint ? { endpoint: o.endpoint } : {}) });
  try {
    const out = await client
      .send(
        new PutEventsCommand({
          Entries: [{ Source: DRILL_EVENT_SOURCE, DetailType: FINDING_DETAIL_TYPE, Detail: JSON.stringify(finding), ...(o.eventBus ? { EventBusName: o.eventBus } : {}) }],
        }),
      )
      .catch((err: unknown) => {
        throw wrapAwsError('events', 'PutEvents', err);
      });
    const entry = out.Entries?.[0];
    // PutEvents reports a refused entry in the response, not as an error.
    if ((out.FailedEntryCount ?? 0) > 0 || entry?.EventId === undefined) {
      throw new TourniquetError('aws.call', `EventBridge refused the drill event: ${entry?.ErrorCode ?? 'no event id'} ${entry?.ErrorMessage ?? ''}`.trim());
    }
    return entry.EventId;
  } finally {
    client.destroy();
  }
}
