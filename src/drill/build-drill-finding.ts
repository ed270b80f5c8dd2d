/**
 * `tourniquet drill <kind> <id>`: reads the real resource and builds a GuardDuty-format finding about it, marked as a
 * drill, of any catalogued type for that kind (`--type`). The finding goes through the engine exactly as a real one
 * would: same parser, same subject, same plan.
 */
import { AWS_HTTP_TIMEOUTS } from '../aws/http-timeouts.js';
import { UsageError } from '../errors.js';
import { closestName } from '../did-you-mean.js';
import { allTypes, lookupType } from '../findings/type-catalogue.js';
import { drillEnvelope } from './drill-envelope.js';
import type { DrillKind } from './drill-kind.js';
import { DRILL_KINDS, findDrillKind } from './drill-kinds.js';

export interface DrillRequest {
  readonly kind: string;
  readonly id: string;
  readonly type?: string;
  readonly severity?: number;
  readonly accountId: string;
  readonly region: string;
  readonly endpoint?: string;
  readonly now?: Date;
}

const BAND_SEVERITY: Readonly<Record<string, number>> = { Critical: 9, High: 8, Medium: 5, Low: 2 };

export function drillKindOf(kind: string): DrillKind {
  const k = findDrillKind(kind);
  if (k !== undefined) return k;
  const names = DRILL_KINDS.map((d) => d.kind);
  const near = closestName(kind, names);
  throw new UsageError(`no drill for the kind ${JSON.stringify(kind)}${near ? ` (did you mean ${near}?)` : ''}; kinds: ${names.join(', ')}`);
}

/** The catalogued type `--type` names, checked against the kind (its ResourceTypeAffected segment). */
export function drillType(kind: DrillKind, type: string | undefined): { type: string; severity: number } {
  const wanted = type ?? kind.defaultType;
  const info = lookupType(wanted);
  if (info === undefined) {
    const near = closestName(wanted, allTypes().map((t) => t.type));
    throw new UsageError(`--type ${JSON.stringify(wanted)} is not a GuardDuty finding type${near ? ` (did you mean ${near}?)` : ''}; \`tourniquet types\` lists them`);
  }
  if (!kind.typeResources.includes(info.resource)) {
    throw new UsageError(`--type ${info.type} is about ${info.resource} resources, not a ${kind.kind} drill (types of ${kind.typeResources.join(' or ')}: \`tourniquet types ':${kind.typeResources[0]}/'\`)`);
  }
  return { type: info.type, severity: (info.defaultBand !== undefined ? BAND_SEVERITY[info.defaultBand] : undefined) ?? 8 };
}

export async function buildDrillFinding(r: DrillRequest): Promise<Record<string, unknown>> {
  const kind = drillKindOf(r.kind);
  const bad = kind.checkId(r.id);
  if (bad !== undefined) throw new UsageError(bad);
  const { type, severity } = drillType(kind, r.type);
  const config = { region: r.region, requestHandler: AWS_HTTP_TIMEOUTS, ...(r.endpoint ? { endpoint: r.endpoint } : {}) };
  const read = await kind.read(r.id, { accountId: r.accountId, region: r.region, config, type });
  return drillEnvelope({
    accountId: r.accountId,
    region: r.region,
    type,
    severity: r.severity ?? severity,
    resourceLabel: read.label,
    resource: read.resource,
    ...(read.action ? { action: read.action } : {}),
    ...(read.resourceRole ? { resourceRole: read.resourceRole } : {}),
    ...(read.featureName ? { featureName: read.featureName } : {}),
    ...(r.now ? { now: r.now } : {}),
  });
}
