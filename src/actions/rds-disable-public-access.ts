/**
 * `rds.disable-public-access`: PubliclyAccessible off, applied immediately, so the instance's endpoint no longer
 * resolves to a public address (security groups stay as they are). Release restores the recorded value. The change
 * is asynchronous: the instance is `modifying` for a while, and verify reads the described value.
 */
import { z } from 'zod';
import type { Json } from '../findings/model.js';
import type { BoundActionContext, VerifyResult } from './action.js';
import { defineAction } from './define-action.js';
import { RDS_ARN, rdsClient, requireDbInstance, resolveDbInstance } from './rds-instance-support.js';

const InputSchema = z.strictObject({
  // Defaults to the subject's DB instance.
  dbInstanceIdentifier: z.string().optional(),
});

export type DisablePublicAccessPreImage = { dbInstanceIdentifier: string; publiclyAccessible: boolean | null };
export type DisablePublicAccessOutput = { changed: boolean; publiclyAccessible: false };

async function setPublic(ctx: BoundActionContext, id: string, value: boolean): Promise<void> {
  const { sdk, rds } = await rdsClient(ctx);
  await rds.send(new sdk.ModifyDBInstanceCommand({ DBInstanceIdentifier: id, PubliclyAccessible: value, ApplyImmediately: true }));
}

export const disablePublicAccess = defineAction({
  name: 'rds.disable-public-access',
  effect: 'contain',
  input: InputSchema,
  description: 'Turn public accessibility off (applied immediately). Release restores the prior setting.',
  permissions: [
    { actions: ['rds:DescribeDBInstances', 'rds:ModifyDBInstance'], resources: [RDS_ARN.db], why: 'Record, turn off and restore public accessibility' },
  ],

  async capture(input, ctx): Promise<DisablePublicAccessPreImage> {
    const id = resolveDbInstance(input, ctx);
    return { dbInstanceIdentifier: id, publiclyAccessible: (await requireDbInstance(ctx, id)).PubliclyAccessible ?? null };
  },

  async apply(_input, pre, ctx): Promise<DisablePublicAccessOutput> {
    if ((await requireDbInstance(ctx, pre.dbInstanceIdentifier)).PubliclyAccessible === false) return { changed: false, publiclyAccessible: false };
    await setPublic(ctx, pre.dbInstanceIdentifier, false);
    return { changed: true, publiclyAccessible: false };
  },

  async release(_input, pre, _output, ctx): Promise<Json> {
    if (pre.publiclyAccessible === null) return { action: 'none', reason: 'no recorded PubliclyAccessible' };
    const now = (await requireDbInstance(ctx, pre.dbInstanceIdentifier)).PubliclyAccessible ?? null;
    if (now === pre.publiclyAccessible) return { action: 'none', publiclyAccessible: now };
    await setPublic(ctx, pre.dbInstanceIdentifier, pre.publiclyAccessible);
    return { action: 'restored', publiclyAccessible: pre.publiclyAccessible };
  },

  async verify(input, ctx): Promise<VerifyResult> {
    const id = resolveDbInstance(input, ctx);
    const db = await requireDbInstance(ctx, id);
    return { holds: db.PubliclyAccessible === false, detail: `${id}: PubliclyAccessible ${String(db.PubliclyAccessible ?? 'unknown')}, status ${db.DBInstanceStatus ?? 'unknown'}` };
  },
});
