/**
 * EventBridge calls to moto_server over its JSON 1.1 protocol, for tests: @aws-sdk/client-eventbridge is not a
 * dependency. moto picks the service from the Authorization header's credential scope and does not check the
 * signature, so the header carries a scope and a dummy signature.
 */
import { TEST_REGION } from './aws-clients.js';

export async function eventBridgeCall<T = Record<string, unknown>>(endpoint: string, action: string, body: Record<string, unknown>): Promise<T> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `AWSEvents.${action}`,
      Authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${TEST_REGION}/events/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`EventBridge ${action} failed: HTTP ${res.status} ${text}`);
  return (text === '' ? {} : JSON.parse(text)) as T;
}
