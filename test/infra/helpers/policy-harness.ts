/**
 * Runs CrossGuard policies outside the Pulumi engine (no PolicyPack, so no gRPC server): stack policies get every
 * resource, resource policies each resource; `notApplicable()` throws, as in the engine, and is caught here.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import type { CapturedResource } from './pulumi-mocks.js';

export interface Violation {
  readonly policy: string;
  readonly message: string;
  readonly urn?: string;
}

class NotApplicable extends Error {}

type AnyClass = { new (...args: never[]): unknown; __pulumiType?: string };

function toPolicyResource(r: CapturedResource): PolicyResource {
  const isType = (cls: AnyClass): boolean => cls.__pulumiType === r.type;
  return {
    type: r.type,
    urn: r.urn,
    name: r.name,
    props: r.state,
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    dependencies: [],
    propertyDependencies: {},
    isType: isType as PolicyResource['isType'],
    asType: ((cls: AnyClass) => (isType(cls) ? r.state : undefined)) as PolicyResource['asType'],
  };
}

export async function runPolicies(
  policies: readonly (ResourceValidationPolicy | StackValidationPolicy)[],
  captured: readonly CapturedResource[],
): Promise<Violation[]> {
  const resources = captured.filter((r) => r.custom).map(toPolicyResource);
  const violations: Violation[] = [];
  const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
  };
  for (const policy of policies) {
    const report = (message: string, urn?: string): void => {
      violations.push({ policy: policy.name, message, ...(urn !== undefined ? { urn } : {}) });
    };
    if ('validateStack' in policy) {
      try {
        await policy.validateStack({ resources, stackTags: new Map(), getConfig: <T>() => ({}) as T, notApplicable }, report);
      } catch (error) {
        if (!(error instanceof NotApplicable)) throw error;
      }
      continue;
    }
    const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const resource of resources) {
      for (const validate of validations) {
        try {
          await validate(
            {
              type: resource.type,
              props: resource.props,
              urn: resource.urn,
              name: resource.name,
              opts: resource.opts,
              stackTags: new Map(),
              isType: resource.isType,
              asType: ((cls: AnyClass) => (cls.__pulumiType === resource.type ? resource.props : undefined)) as never,
              getConfig: <T>() => ({}) as T,
              notApplicable,
            },
            (message: string, urn?: string) => report(message, urn ?? resource.urn),
          );
        } catch (error) {
          if (!(error instanceof NotApplicable)) throw error;
        }
      }
    }
  }
  return violations;
}
