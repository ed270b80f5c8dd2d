/**
 * Runs one IAM request through a policy evaluator (@cloud-copilot/iam-simulate): identity policies, an optional
 * resource policy (a trust or key policy), the request context. Returns the decision, or the evaluator's
 * validation error as text (an action, ARN or context key it does not accept), so a test failure says why.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { IamRequest } from './iam-requests.js';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied' | `error: ${string}`;

export interface Principal {
  /** The caller's ARN (a role, or an assumed-role session). */
  readonly arn: string;
  readonly identityPolicies: readonly unknown[];
}

export const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Sid: 'AllowEverything', Effect: 'Allow', Action: '*', Resource: '*' }] };

export async function decide(principal: Principal, request: IamRequest, options: { resourcePolicy?: unknown; resourceAccount?: string } = {}): Promise<Decision> {
  const account = options.resourceAccount ?? String(request.context['aws:ResourceAccount'] ?? principal.arn.split(':')[4]);
  const result = await runSimulation(
    {
      request: {
        principal: principal.arn,
        action: request.action,
        resource: { resource: request.resource, accountId: account },
        contextVariables: { 'aws:PrincipalArn': principal.arn, 'aws:PrincipalAccount': principal.arn.split(':')[4] ?? '', ...request.context },
      },
      identityPolicies: principal.identityPolicies.map((policy, i) => ({ name: `policy-${i + 1}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(options.resourcePolicy !== undefined ? { resourcePolicy: options.resourcePolicy } : {}),
    },
    {},
  );
  if (result.resultType === 'error') return `error: ${JSON.stringify(result.errors)}`;
  return result.overallResult as Decision;
}
