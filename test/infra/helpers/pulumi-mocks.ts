/**
 * Offline Pulumi test harness: mocks that fabricate the computed outputs real AWS would return (ARNs, names, URLs,
 * ids), capture every registered resource with its inputs, outputs and resource options (retainOnDelete, protect,
 * import, dependencies, ignoreChanges: what `pulumi up`/`destroy` would do with it), answer the three invokes the
 * program makes, and a helper that builds the stack and waits until every resource is registered.
 *
 * Mocks only echo inputs; anything computed must be fabricated here, or values built from it silently vanish.
 */
import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';

export const MOCK_ACCOUNT = '123456789012';
export const MOCK_REGION = 'us-east-1';
export const MOCK_PARTITION = 'aws';

/** The resource options of one registration, as the Pulumi engine receives them. */
export interface CapturedOptions {
  /** URN of the parent (the component), when there is one. */
  readonly parent?: string;
  readonly protect: boolean;
  /** `pulumi destroy` leaves the cloud resource in place. */
  readonly retainOnDelete: boolean;
  /** The physical id adopted with the `import` option. */
  readonly importId?: string;
  /**
   * URNs the resource is ordered after: its explicit `dependsOn` (components expanded to their children) and every
   * resource whose outputs it takes as inputs. Pulumi creates it after all of them and deletes it before them.
   */
  readonly dependsOn: readonly string[];
  readonly ignoreChanges: readonly string[];
  readonly deleteBeforeReplace: boolean;
  readonly deletedWith?: string;
}

export interface CapturedResource {
  readonly type: string;
  readonly name: string;
  /** The URN the Pulumi engine would give it (with the parent component's type). */
  readonly urn: string;
  readonly id: string;
  readonly custom: boolean;
  readonly inputs: Record<string, unknown>;
  /** Inputs plus fabricated outputs (what a stack policy sees as props). */
  readonly state: Record<string, unknown>;
  /** Options of the registration; undefined only for resources read with `get` (none in the program). */
  readonly options?: CapturedOptions;
}

export class ResourceCapture {
  readonly resources: CapturedResource[] = [];
  readonly invokes: string[] = [];

  ofType(type: string): CapturedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The single resource of `type` whose logical name contains `nameIncludes`; throws when not exactly one. */
  one(type: string, nameIncludes = ''): CapturedResource {
    const found = this.ofType(type).filter((r) => r.name.includes(nameIncludes));
    if (found.length !== 1) {
      throw new Error(`expected one ${type} named *${nameIncludes}*, found ${found.length}: ${found.map((r) => r.name).join(', ')}`);
    }
    return found[0]!;
  }

  custom(): CapturedResource[] {
    return this.resources.filter((r) => r.custom);
  }

  /** Whether Pulumi orders `resource` after `dependency` (explicit dependsOn or an input taken from it). */
  dependsOn(resource: CapturedResource, dependency: CapturedResource): boolean {
    if (resource.options === undefined) throw new Error(`no options recorded for ${resource.urn}`);
    return resource.options.dependsOn.includes(dependency.urn);
  }
}

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Physical name as AWS/Pulumi would generate it: explicit name, else prefix + suffix, else logical name + suffix. */
function physicalName(inputs: Record<string, unknown>, logical: string, nameKey = 'name', prefixKey = 'namePrefix'): string {
  const suffix = hex(logical, 8);
  return str(inputs[nameKey]) ?? (str(inputs[prefixKey]) !== undefined ? `${str(inputs[prefixKey])}${suffix}` : `${logical}-${suffix}`);
}

/** Fabricates id and computed outputs per resource type. */
export function fabricate(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
  const inputs = (args.inputs ?? {}) as Record<string, unknown>;
  const acct = MOCK_ACCOUNT;
  const region = MOCK_REGION;
  const h = (n: number): string => hex(`${args.type}/${args.name}`, n);
  const out = (id: string, extra: Record<string, unknown>): { id: string; state: Record<string, unknown> } => ({ id, state: { ...inputs, ...extra } });
  switch (args.type) {
    case 'aws:s3/bucket:Bucket': {
      const bucket = physicalName(inputs, args.name, 'bucket', 'bucketPrefix');
      return out(bucket, {
        bucket,
        arn: `arn:aws:s3:::${bucket}`,
        bucketDomainName: `${bucket}.s3.amazonaws.com`,
        bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
        region,
      });
    }
    case 'aws:kms/key:Key': {
      const keyId = `${h(8)}-${h(12).slice(8)}-4${h(15).slice(12)}-a${h(18).slice(15)}-${h(30).slice(18)}`;
      return out(keyId, { keyId, arn: `arn:aws:kms:${region}:${acct}:key/${keyId}` });
    }
    case 'aws:kms/alias:Alias': {
      const name = physicalName(inputs, args.name);
      return out(name, { name, arn: `arn:aws:kms:${region}:${acct}:${name}` });
    }
    case 'aws:sqs/queue:Queue': {
      const name = physicalName(inputs, args.name);
      const url = `https://sqs.${region}.amazonaws.com/${acct}/${name}`;
      return out(url, { name, url, arn: `arn:aws:sqs:${region}:${acct}:${name}` });
    }
    case 'aws:guardduty/detector:Detector': {
      const id = args.id !== undefined && args.id !== '' ? args.id : h(32);
      return out(id, { accountId: acct, arn: `arn:aws:guardduty:${region}:${acct}:detector/${id}` });
    }
    case 'aws:guardduty/threatIntelSet:ThreatIntelSet':
    case 'aws:guardduty/iPSet:IPSet': {
      const setId = h(32);
      const detectorId = str(inputs['detectorId']) ?? 'unknown';
      const kind = args.type.includes('threat') ? 'threatintelset' : 'ipset';
      return out(`${detectorId}:${setId}`, {
        ...(kind === 'threatintelset' ? { threatIntelSetId: setId } : { ipSetId: setId }),
        arn: `arn:aws:guardduty:${region}:${acct}:detector/${detectorId}/${kind}/${setId}`,
      });
    }
    case 'aws:dynamodb/table:Table': {
      const name = physicalName(inputs, args.name);
      return out(name, { name, arn: `arn:aws:dynamodb:${region}:${acct}:table/${name}` });
    }
    case 'aws:iam/role:Role': {
      const name = physicalName(inputs, args.name);
      return out(name, { name, arn: `arn:aws:iam::${acct}:role/${name}`, uniqueId: `AROA${h(16).toUpperCase()}` });
    }
    case 'aws:iam/policy:Policy': {
      const name = physicalName(inputs, args.name);
      return out(`arn:aws:iam::${acct}:policy/${name}`, { name, arn: `arn:aws:iam::${acct}:policy/${name}`, policyId: `ANPA${h(16)}` });
    }
    case 'aws:lambda/function:Function': {
      const name = physicalName(inputs, args.name);
      const arn = `arn:aws:lambda:${region}:${acct}:function:${name}`;
      return out(name, { name, arn, qualifiedArn: `${arn}:$LATEST`, invokeArn: `arn:aws:apigateway:${region}:lambda:path/${arn}` });
    }
    case 'aws:lambda/functionUrl:FunctionUrl':
      return out(h(12), { functionUrl: `https://${h(32)}.lambda-url.${region}.on.aws/`, urlId: h(32) });
    case 'aws:lambda/eventSourceMapping:EventSourceMapping':
      return out(h(36), { uuid: h(36), arn: `arn:aws:lambda:${region}:${acct}:event-source-mapping:${h(36)}` });
    case 'aws:cloudwatch/eventRule:EventRule': {
      const name = physicalName(inputs, args.name);
      return out(name, { name, arn: `arn:aws:events:${region}:${acct}:rule/${name}` });
    }
    case 'aws:cloudwatch/logGroup:LogGroup': {
      const name = physicalName(inputs, args.name);
      return out(name, { name, arn: `arn:aws:logs:${region}:${acct}:log-group:${name}` });
    }
    case 'aws:cloudwatch/metricAlarm:MetricAlarm':
      return out(args.name, { arn: `arn:aws:cloudwatch:${region}:${acct}:alarm:${args.name}` });
    case 'aws:sns/topic:Topic': {
      const name = physicalName(inputs, args.name);
      const arn = `arn:aws:sns:${region}:${acct}:${name}`;
      return out(arn, { name, arn });
    }
    case 'aws:sns/topicSubscription:TopicSubscription':
      return out(h(36), { arn: `${str(inputs['topic']) ?? 'topic'}:${h(36)}` });
    case 'aws:secretsmanager/secret:Secret': {
      const name = physicalName(inputs, args.name);
      const arn = `arn:aws:secretsmanager:${region}:${acct}:secret:${name}-${h(6)}`;
      return out(arn, { name, arn });
    }
    case 'aws:secretsmanager/secretVersion:SecretVersion':
      return out(`${str(inputs['secretId']) ?? ''}|${h(8)}`, { versionId: h(36), arn: str(inputs['secretId']) });
    case 'aws:s3/bucketObjectv2:BucketObjectv2':
      return out(str(inputs['key']) ?? args.name, { etag: h(32), versionId: h(32) });
    case 'aws:guardduty/publishingDestination:PublishingDestination':
      return out(h(32), { destinationId: h(32) });
    default:
      return out(args.id !== undefined && args.id !== '' ? args.id : `${args.name}-id`, {});
  }
}

/** What the mock monitor is given for one registration (the generated protobuf request; only the getters used). */
interface RegisterResourceRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getImportid(): string;
  getDependenciesList(): string[];
  getIgnorechangesList(): string[];
  getDeletebeforereplace(): boolean;
  getDeletedwith(): string;
}
type RegisterCallback = (err: unknown, response?: { getUrn(): string }) => void;
interface MockMonitorLike {
  registerResource(req: RegisterResourceRequest, callback: RegisterCallback): Promise<void>;
}

function optionsOf(req: RegisterResourceRequest): CapturedOptions {
  const nonEmpty = (v: string): string | undefined => (v === '' ? undefined : v);
  return {
    ...(nonEmpty(req.getParent()) !== undefined ? { parent: req.getParent() } : {}),
    protect: req.getProtect() === true,
    retainOnDelete: req.getRetainondelete() === true,
    ...(nonEmpty(req.getImportid()) !== undefined ? { importId: req.getImportid() } : {}),
    dependsOn: [...req.getDependenciesList()].sort(),
    ignoreChanges: [...req.getIgnorechangesList()],
    deleteBeforeReplace: req.getDeletebeforereplace(),
    ...(nonEmpty(req.getDeletedwith()) !== undefined ? { deletedWith: req.getDeletedwith() } : {}),
  };
}

/** Installs the mocks (awaited, before any resource exists). Captured resources go to `capture`. */
export async function installMocks(capture: ResourceCapture): Promise<void> {
  // The mock API passes newResource() the inputs only. The monitor's registerResource gets the whole request and
  // calls newResource() synchronously, before its first await: the request's options are handed over through
  // `registering`, and the URN the monitor computes is filled in when it answers.
  let registering: { options: CapturedOptions; resource?: { urn: string } } | undefined;
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const { id, state } = fabricate(args);
        const resource = {
          type: args.type,
          name: args.name,
          urn: `urn:pulumi:test::tourniquet::${args.type}::${args.name}`,
          id,
          custom: args.custom !== false,
          inputs: (args.inputs ?? {}) as Record<string, unknown>,
          state,
          ...(registering !== undefined ? { options: registering.options } : {}),
        };
        if (registering !== undefined) registering.resource = resource;
        capture.resources.push(resource);
        return { id, state };
      },
      call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        capture.invokes.push(args.token);
        switch (args.token) {
          case 'aws:index/getCallerIdentity:getCallerIdentity':
            return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/deployer`, userId: 'AIDAEXAMPLE', id: MOCK_ACCOUNT };
          case 'aws:index/getRegion:getRegion':
            return { region: MOCK_REGION, name: MOCK_REGION, id: MOCK_REGION, description: 'US East (N. Virginia)', endpoint: 'ec2.us-east-1.amazonaws.com' };
          case 'aws:index/getPartition:getPartition':
            return { partition: MOCK_PARTITION, dnsSuffix: 'amazonaws.com', reverseDnsPrefix: 'com.amazonaws', id: MOCK_PARTITION };
          default:
            throw new Error(`unexpected invoke ${args.token}`);
        }
      },
    },
    'tourniquet',
    'test',
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorLike;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const current: NonNullable<typeof registering> = { options: optionsOf(req) };
    registering = current;
    try {
      return register(req, (err, response) => {
        if (current.resource !== undefined && response !== undefined) current.resource.urn = response.getUrn();
        callback(err, response);
      });
    } finally {
      registering = undefined;
    }
  };
}

/** Resolves an Input (Output or plain) to its value. */
export function valueOf<T>(input: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return new Promise((resolve) => {
    pulumi.output(input).apply((v) => {
      resolve(v);
      return v;
    });
  });
}

/** Resolves every output of a stack-outputs object. */
export async function resolveOutputs(outputs: Record<string, pulumi.Input<unknown>>): Promise<Record<string, unknown>> {
  const entries = await Promise.all(Object.entries(outputs).map(async ([k, v]) => [k, await valueOf(v)] as const));
  return Object.fromEntries(entries);
}

/**
 * Builds a stack with fresh mocks and waits until every resource (including those created from `apply`
 * callbacks) is registered.
 */
export async function buildStack<T extends Record<string, pulumi.Input<unknown>>>(
  build: () => Promise<T>,
): Promise<{ capture: ResourceCapture; outputs: Record<string, unknown> }> {
  const capture = new ResourceCapture();
  await installMocks(capture);
  const raw = await build();
  const outputs = await resolveOutputs(raw);
  // Waits for outstanding resource registrations (RPCs) to drain.
  await pulumi.runtime.disconnect();
  return { capture, outputs };
}

/** Parses a JSON string input (policies are passed as JSON text). */
export function json<T = Record<string, unknown>>(value: unknown): T {
  if (typeof value !== 'string') throw new Error(`expected JSON text, received ${typeof value}`);
  return JSON.parse(value) as T;
}
