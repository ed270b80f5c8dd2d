/**
 * `bedrock.ensure-invocation-logging`: make sure Bedrock model invocation logging is on in the finding's Region
 * (a per-Region setting, off by default, and forward-only: turning it on now records what the attacker does next,
 * not what was done). Attackers switch it off (`DeleteModelInvocationLoggingConfiguration`, GuardDuty's
 * `DefenseEvasion:IAMUser/BedrockLoggingDisabled`), so the AI playbooks check it on every finding.
 *
 * Logging already on (a destination and at least one data type delivered): nothing is changed, whatever the
 * destination, and nothing is needed from the configuration. Logging off: the configuration is put with the
 * destination of the step's input (the playbook option `invocationLogging`, or the deployment's default,
 * `tourniquet:bedrockInvocationLogging`); without one the step FAILS with an error naming the option. It is never
 * skipped silently: an incident whose logging could not be turned on must not read as contained.
 *
 * Release restores the pre-image: the prior configuration (JSON-equal), or none (Delete) when there was none — but
 * only when the configuration is still the one this step put (someone who changed it since is not overridden), and
 * never with `keepOnRelease` (the containment reference recommends keeping logging on).
 */
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { canonicalJson } from './action-support.js';
import { loadBedrock } from './bedrock-sdk.js';
import { defineAction } from './define-action.js';

/** What a deployment names the role Bedrock assumes to write the logs: the responder may pass only such roles. */
export const BEDROCK_LOGGING_ROLE_PREFIX = 'tourniquet-bedrock-logging';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const LOG_GROUP = /^[\w./#-]{1,512}$/;
const KEY_PREFIX = z.string().max(1024, { error: 'an S3 key prefix of at most 1024 characters' }).optional();

const S3DestinationSchema = z.strictObject({
  bucketName: z.string().regex(BUCKET, { error: 'an S3 bucket name' }),
  keyPrefix: KEY_PREFIX,
});

const DESTINATION_FIELDS = {
  cloudWatch: z
    .strictObject({
      logGroupName: z.string().regex(LOG_GROUP, { error: 'a CloudWatch log group name' }),
      roleArn: z.string().regex(ROLE_ARN, { error: 'an IAM role ARN' }),
      // Where bodies larger than 100 KB go (CloudWatch takes at most that).
      largeDataDeliveryS3: S3DestinationSchema.optional(),
    })
    .optional(),
  s3: S3DestinationSchema.optional(),
};

const hasDestination = (d: { cloudWatch?: unknown; s3?: unknown }): boolean => d.cloudWatch !== undefined || d.s3 !== undefined;
const NEEDS_DESTINATION = { error: 'a cloudWatch and/or an s3 destination' };

/** Where invocation logs go: a CloudWatch log group (with the role Bedrock assumes to write it) and/or an S3 bucket. */
export const InvocationLoggingDestinationSchema = z.strictObject(DESTINATION_FIELDS).refine(hasDestination, NEEDS_DESTINATION);

/** The playbook option `invocationLogging`: the destination, and whether release leaves logging on. */
export const InvocationLoggingOptionSchema = z
  .strictObject({
    ...DESTINATION_FIELDS,
    // The Region the destination is in (a log group is regional): elsewhere the step has no destination.
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'an AWS Region such as eu-west-1' }).optional(),
    keepOnRelease: z.boolean({ error: 'true or false' }).optional(),
  })
  .refine(hasDestination, NEEDS_DESTINATION);

export type InvocationLoggingOption = z.infer<typeof InvocationLoggingOptionSchema>;

export type InvocationLoggingDestination = z.infer<typeof InvocationLoggingDestinationSchema>;

const InputSchema = z.strictObject({
  // Absent: the step succeeds only if logging is already on.
  destination: InvocationLoggingDestinationSchema.optional(),
  // Leave logging on when the incident is released (default: restore exactly what was there).
  keepOnRelease: z.boolean().optional(),
});

/** Input of `bedrock.ensure-invocation-logging`. */
export type EnsureInvocationLoggingInput = z.infer<typeof InputSchema>;

/** The configuration as GetModelInvocationLoggingConfiguration returns it (`loggingConfig`), as JSON. */
export type LoggingConfigJson = { [key: string]: Json };

export type EnsureInvocationLoggingPreImage = {
  region: string;
  /** The configuration before the step, or null when there was none. */
  prior: LoggingConfigJson | null;
};

export type EnsureInvocationLoggingOutput = { changed: boolean; region: string; config: LoggingConfigJson | null; reason?: string };

/** The option that supplies the destination, for error messages. */
export const INVOCATION_LOGGING_OPTION = 'invocationLogging';

/** The configuration the step puts for a destination: every data type delivered. */
export function desiredLoggingConfig(destination: InvocationLoggingDestination): LoggingConfigJson {
  const s3 = (d: { bucketName: string; keyPrefix?: string | undefined }): { [key: string]: Json } => ({
    bucketName: d.bucketName,
    ...(d.keyPrefix !== undefined ? { keyPrefix: d.keyPrefix } : {}),
  });
  const cw = destination.cloudWatch;
  return {
    ...(cw !== undefined
      ? {
          cloudWatchConfig: {
            logGroupName: cw.logGroupName,
            roleArn: cw.roleArn,
            ...(cw.largeDataDeliveryS3 !== undefined ? { largeDataDeliveryS3Config: s3(cw.largeDataDeliveryS3) } : {}),
          },
        }
      : {}),
    ...(destination.s3 !== undefined ? { s3Config: s3(destination.s3) } : {}),
    textDataDeliveryEnabled: true,
    imageDataDeliveryEnabled: true,
    embeddingDataDeliveryEnabled: true,
    videoDataDeliveryEnabled: true,
    audioDataDeliveryEnabled: true,
  };
}

const DELIVERY_FLAGS = ['textDataDeliveryEnabled', 'imageDataDeliveryEnabled', 'embeddingDataDeliveryEnabled', 'videoDataDeliveryEnabled', 'audioDataDeliveryEnabled'];

/** On = a destination and at least one data type delivered (otherwise Bedrock records nothing). */
export function loggingIsOn(config: LoggingConfigJson | null): boolean {
  if (config === null) return false;
  const destination = isObject(config['cloudWatchConfig']) || isObject(config['s3Config']);
  return destination && DELIVERY_FLAGS.some((f) => config[f] === true);
}

function isObject(v: Json | undefined): boolean {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The current configuration, or null when there is none. AWS omits `loggingConfig` when logging was never set or was
 * deleted; moto answers `{}` after a delete: both read as none.
 */
export async function readLoggingConfig(ctx: BoundActionContext): Promise<LoggingConfigJson | null> {
  const sdk = await loadBedrock();
  const out = await ctx.aws(sdk.BedrockClient).send(new sdk.GetModelInvocationLoggingConfigurationCommand({}));
  const config = out.loggingConfig;
  if (config === undefined || config === null || Object.keys(config).length === 0) return null;
  return JSON.parse(JSON.stringify(config)) as LoggingConfigJson;
}

async function putLoggingConfig(ctx: BoundActionContext, config: LoggingConfigJson): Promise<void> {
  const sdk = await loadBedrock();
  // The JSON was read from, or built for, this very API: its shape is LoggingConfig.
  const loggingConfig = config as unknown as NonNullable<ConstructorParameters<typeof sdk.PutModelInvocationLoggingConfigurationCommand>[0]['loggingConfig']>;
  await ctx.aws(sdk.BedrockClient).send(new sdk.PutModelInvocationLoggingConfigurationCommand({ loggingConfig }));
}

async function deleteLoggingConfig(ctx: BoundActionContext): Promise<void> {
  const sdk = await loadBedrock();
  await ctx.aws(sdk.BedrockClient).send(new sdk.DeleteModelInvocationLoggingConfigurationCommand({}));
}

const same = (a: Json | null, b: Json | null): boolean => canonicalJson(a) === canonicalJson(b);

export const ensureInvocationLogging = defineAction({
  name: 'bedrock.ensure-invocation-logging',
  effect: 'contain',
  input: InputSchema,
  description:
    'Make sure Bedrock model invocation logging is on in the Region (put the configured destination when it is off; ' +
    'fails, naming the option, when it is off and no destination is configured). Release restores the prior ' +
    'configuration, or deletes it when there was none, unless keepOnRelease.',
  permissions: [
    {
      actions: ['bedrock:GetModelInvocationLoggingConfiguration', 'bedrock:PutModelInvocationLoggingConfiguration', 'bedrock:DeleteModelInvocationLoggingConfiguration'],
      resources: ['*'],
      why: 'Read, turn on and restore model invocation logging (these calls support no resource-level permissions)',
    },
    {
      actions: ['iam:PassRole'],
      resources: [`arn:\${Partition}:iam::\${Account}:role/${BEDROCK_LOGGING_ROLE_PREFIX}*`],
      conditions: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
      why: 'The CloudWatch destination passes the logging role to Bedrock (only roles named for it)',
    },
  ],

  async capture(_input, ctx): Promise<EnsureInvocationLoggingPreImage> {
    return { region: ctx.clients.region, prior: await readLoggingConfig(ctx) };
  },

  async apply(input, pre, ctx): Promise<EnsureInvocationLoggingOutput> {
    const current = await readLoggingConfig(ctx);
    if (loggingIsOn(current)) return { changed: false, region: pre.region, config: current, reason: 'invocation logging is already on' };
    if (input.destination === undefined) {
      throw ctx.fail(
        `model invocation logging is off in ${pre.region} and no destination is configured: set the playbook option ` +
          `${INVOCATION_LOGGING_OPTION} (cloudWatch {logGroupName, roleArn} and/or s3 {bucketName}), or deploy with ` +
          'tourniquet:bedrockInvocationLogging',
      );
    }
    const desired = desiredLoggingConfig(input.destination);
    await putLoggingConfig(ctx, desired);
    return { changed: true, region: pre.region, config: desired };
  },

  async release(input, pre, output, ctx): Promise<Json> {
    // A crash after the put leaves no output: what the step would have put is what it may have put.
    const put = output?.changed === true ? output.config : output === undefined && input.destination !== undefined ? desiredLoggingConfig(input.destination) : null;
    if (put === null) return { action: 'none', reason: 'the step changed nothing' };
    if (input.keepOnRelease === true) return { action: 'kept', reason: 'keepOnRelease: invocation logging stays on' };
    const current = await readLoggingConfig(ctx);
    if (same(current, pre.prior)) return { action: 'none', reason: 'the prior configuration is in place' };
    if (!same(current, put)) {
      return { action: 'kept', reason: 'the configuration was changed after the step put it; it is left as it is', current };
    }
    if (pre.prior === null) {
      await deleteLoggingConfig(ctx);
      return { action: 'deleted', region: pre.region };
    }
    await putLoggingConfig(ctx, pre.prior);
    return { action: 'restored', region: pre.region };
  },

  async verify(_input, ctx): Promise<VerifyResult> {
    const current = await readLoggingConfig(ctx);
    const on = loggingIsOn(current);
    const where = current === null ? 'no configuration' : [isObject(current['cloudWatchConfig']) ? 'CloudWatch' : '', isObject(current['s3Config']) ? 'S3' : ''].filter(Boolean).join(' + ') || 'no destination';
    return { holds: on, detail: `${ctx.clients.region}: invocation logging ${on ? 'on' : 'off'} (${where})` };
  },
});
