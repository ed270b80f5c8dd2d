/**
 * The responder-managed threat list the EC2 playbook's `block-remote-ip` step edits, from the Lambda environment
 * (TOURNIQUET_BLOCKLIST_BUCKET / _KEY / _SET_ID and TOURNIQUET_DETECTOR_ID, the names infra/lambda-env.ts sets).
 */
import { TourniquetError } from '../errors.js';
import type { Ec2BlocklistOptions } from '../playbooks/ec2-instance.js';
import type { LambdaConfig } from './lambda-config.js';

const VARS = ['TOURNIQUET_BLOCKLIST_BUCKET', 'TOURNIQUET_BLOCKLIST_KEY', 'TOURNIQUET_BLOCKLIST_SET_ID', 'TOURNIQUET_DETECTOR_ID'] as const;

/**
 * The blocklist, or undefined when the list is not managed (none of its variables set). A partial configuration is an
 * error, raised at cold start. The list is this account's and Region's: the account comes from the responder's role
 * ARN and the Region from AWS_REGION (set by Lambda), so the step is planned only for findings there.
 */
export function lambdaBlocklist(config: LambdaConfig, region: string | undefined = process.env.AWS_REGION): Ec2BlocklistOptions | undefined {
  const bucket = config.TOURNIQUET_BLOCKLIST_BUCKET;
  const key = config.TOURNIQUET_BLOCKLIST_KEY;
  const threatIntelSetId = config.TOURNIQUET_BLOCKLIST_SET_ID;
  const detectorId = config.TOURNIQUET_DETECTOR_ID;
  if (bucket === undefined && key === undefined && threatIntelSetId === undefined) return undefined;
  if (bucket === undefined || key === undefined || threatIntelSetId === undefined || detectorId === undefined) {
    const missing = VARS.filter((name) => config[name] === undefined).join(', ');
    throw new TourniquetError('lambda.config', `invalid Lambda environment: the blocklist needs ${VARS.join(', ')}; missing: ${missing}`);
  }
  const accountId = /^arn:[^:]+:iam::(\d{12}):/.exec(config.TOURNIQUET_RESPONDER_ROLE_ARN ?? '')?.[1];
  return {
    bucket,
    key,
    detectorId,
    threatIntelSetId,
    ...(accountId !== undefined ? { accountId } : {}),
    ...(region !== undefined && region !== '' ? { region } : {}),
  };
}
