/**
 * CrossGuard: nothing is dropped silently. Every SQS queue has a dead-letter queue (redrivePolicy, inline or an
 * sqs.RedrivePolicy resource), except the dead-letter queues themselves (queues some other resource names as its
 * dead-letter target, or tagged `tourniquet:queue-role=dead-letter`); every EventBridge target has a retry policy
 * and a dead-letter queue.
 */
import type { ReportViolation, StackValidationArgs, StackValidationPolicy } from '@pulumi/policy';
import { T, parseJsonObject, prop, strings } from './resource-view.js';
import type { ResourceView } from './resource-view.js';

function deadLetterTarget(redrive: unknown): string | undefined {
  const target = parseJsonObject(redrive)?.['deadLetterTargetArn'];
  return typeof target === 'string' && target !== '' ? target : undefined;
}

export function checkQueues(resources: readonly ResourceView[], report: ReportViolation): void {
  const queues = resources.filter((r) => r.type === T.queue);
  const redriveResources = resources.filter((r) => r.type === T.redrivePolicy);
  const deadLetterArns = new Set<string>();
  for (const r of resources) {
    if (r.type === T.queue || r.type === T.redrivePolicy) {
      const target = deadLetterTarget(prop(r, 'redrivePolicy'));
      if (target !== undefined) deadLetterArns.add(target);
    } else if (r.type === T.eventTarget) {
      strings(prop<{ arn?: unknown }>(r, 'deadLetterConfig')?.arn).forEach((a) => deadLetterArns.add(a));
    } else if (r.type === T.lambdaFunction) {
      strings(prop<{ targetArn?: unknown }>(r, 'deadLetterConfig')?.targetArn).forEach((a) => deadLetterArns.add(a));
    } else if (r.type === T.eventSourceMapping) {
      const onFailure = prop<{ onFailure?: { destinationArn?: unknown } }>(r, 'destinationConfig')?.onFailure;
      strings(onFailure?.destinationArn).forEach((a) => deadLetterArns.add(a));
    }
  }
  for (const queue of queues) {
    const arn = prop(queue, 'arn');
    const tags = prop<Record<string, unknown>>(queue, 'tags') ?? {};
    const isDeadLetter = (typeof arn === 'string' && deadLetterArns.has(arn)) || tags['tourniquet:queue-role'] === 'dead-letter';
    if (isDeadLetter) continue;
    const inline = deadLetterTarget(prop(queue, 'redrivePolicy'));
    const keys = new Set(strings([prop(queue, 'url'), prop(queue, 'id')]));
    const external = redriveResources.some((p) => keys.has(String(prop(p, 'queueUrl'))) && deadLetterTarget(prop(p, 'redrivePolicy')) !== undefined);
    if (inline === undefined && !external) report(`SQS queue ${queue.name} has no dead-letter queue (redrivePolicy)`, queue.urn);
  }
  for (const target of resources.filter((r) => r.type === T.eventTarget)) {
    if (strings(prop<{ arn?: unknown }>(target, 'deadLetterConfig')?.arn).length === 0) {
      report(`EventBridge target ${target.name} has no dead-letter queue (deadLetterConfig)`, target.urn);
    }
    if (prop(target, 'retryPolicy') === undefined) report(`EventBridge target ${target.name} has no retry policy`, target.urn);
  }
}

export const queuesHaveDeadLetterQueues: StackValidationPolicy = {
  name: 'tourniquet-dead-letter-queues',
  description: 'Every SQS queue (except dead-letter queues) has a dead-letter queue; every EventBridge target has a retry policy and one.',
  enforcementLevel: 'mandatory',
  validateStack: (args: StackValidationArgs, report: ReportViolation) => checkQueues(args.resources, report),
};
