import type { Command } from 'commander';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AWS_HTTP_TIMEOUTS } from '../../aws/http-timeouts.js';
import { withAwsAnswerCheck } from '../../aws/not-aws-answer.js';
import { wrapAwsError } from '../../aws/wrap-aws-error.js';
import { UsageError } from '../../errors.js';
import { buildDrillFinding, drillKindOf, drillType } from '../../drill/build-drill-finding.js';
import { DRILL_KINDS } from '../../drill/drill-kinds.js';
import { sendDrill } from '../../drill/send-drill.js';
import { decimalFlag } from '../number-flags.js';
import { endpointUrl } from '../endpoint-url.js';
import type { ReportExit } from './index.js';
import { printJson, printLine } from '../print-safe.js';

interface Flags {
  readonly type?: string;
  readonly severity?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly send?: boolean;
  readonly eventBus?: string;
}

/**
 * `tourniquet drill <kind> <id>`: prints a GuardDuty-format finding, marked as a drill, for a REAL resource (game days,
 * trying a playbook on your own sandbox): `plan`/`respond` take it like any finding. `--send` puts it on EventBridge
 * for the deployed responder instead.
 */
export function registerDrillCommand(program: Command, exit: ReportExit): void {
  program
    .command('drill')
    .description('build a GuardDuty-format finding (marked as a drill) for a real resource, to feed to plan/respond or --send to the deployed responder')
    .argument('<kind>', `resource kind: ${DRILL_KINDS.map((k) => k.kind).join(', ')}`)
    .argument('<id>', DRILL_KINDS.map((k) => `${k.kind}: ${k.idHelp}`).join('; '))
    .option('--type <type>', 'any catalogued finding type for the kind (default: a typical one per kind)')
    .option('--severity <n>', 'severity 1.0–10.0 (default: the type\'s default band)')
    .option('--region <region>', 'region (default: $AWS_REGION)')
    .option('--endpoint <url>', 'AWS endpoint (default: $AWS_ENDPOINT_URL)')
    .option('--send', 'put the finding on EventBridge (source tourniquet.drill) instead of printing it')
    .option('--event-bus <name>', 'event bus for --send (default: the account\'s default bus)')
    .action(async (kind: string, id: string, flags: Flags) => {
      const severity = flags.severity === undefined ? undefined : decimalFlag(flags.severity);
      if (flags.severity !== undefined && (severity === undefined || severity < 1 || severity > 10)) {
        throw new UsageError(`--severity must be 1.0–10.0, received ${JSON.stringify(flags.severity)}`);
      }
      // What needs no AWS first: a misspelt kind, id or type is said as such, not as a missing region or credentials.
      const drillKind = drillKindOf(kind);
      const badId = drillKind.checkId(id);
      if (badId !== undefined) throw new UsageError(badId);
      drillType(drillKind, flags.type);
      const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
      if (!region) throw new UsageError('no region: pass --region or set AWS_REGION');
      const endpoint = endpointUrl(flags.endpoint);
      const sts = withAwsAnswerCheck(new STSClient({ region, requestHandler: AWS_HTTP_TIMEOUTS, ...(endpoint ? { endpoint } : {}) }), endpoint);
      const identity = await sts
        .send(new GetCallerIdentityCommand({}))
        .catch((err: unknown) => {
          throw wrapAwsError('sts', 'GetCallerIdentity', err);
        })
        .finally(() => sts.destroy());
      const finding = await buildDrillFinding({
        kind,
        id,
        accountId: identity.Account ?? '000000000000',
        region,
        ...(flags.type !== undefined ? { type: flags.type } : {}),
        ...(severity !== undefined ? { severity } : {}),
        ...(endpoint ? { endpoint } : {}),
      });
      if (flags.send) {
        const eventId = await sendDrill(finding, { region, ...(endpoint ? { endpoint } : {}), ...(flags.eventBus ? { eventBus: flags.eventBus } : {}) });
        printLine(`drill finding ${String(finding['id'])} (${String(finding['type'])}) sent as event ${eventId}`);
      } else {
        printJson(finding);
      }
      exit(0);
    });
}
