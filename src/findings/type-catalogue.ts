/**
 * The catalogue of GuardDuty finding types (data/finding-types.json + data/retired-finding-types.json, provenance in
 * data/README.md): for any type, the resource it concerns, its default severity, the data source or feature that
 * produces it, whether it is still generated, and a one-line summary.
 *
 * The files are JSON modules (bundled inline into the Lambda); they are validated once, on first use.
 */
import { z } from 'zod';
import { TourniquetError } from '../errors.js';
import type { SeverityBand } from './model.js';
import currentTypes from '../../data/finding-types.json' with { type: 'json' };
import retiredTypes from '../../data/retired-finding-types.json' with { type: 'json' };

export type TypeStatus = 'active' | 'active (opt-in)' | 'retired';

export interface FindingTypeInfo {
  /** The type exactly as GuardDuty writes it, e.g. `Backdoor:EC2/C&CActivity.B!DNS`. */
  readonly type: string;
  /** The `ResourceTypeAffected` segment of the name (`EC2`, `IAMUser`, `Runtime` …). */
  readonly resource: string;
  /** As AWS documents it: `High`, `Low`, or free text such as `Variable`, `Low/High`; `?` when unknown. */
  readonly defaultSeverity: string;
  /** The band when `defaultSeverity` is a single band; undefined for variable or unknown severities. */
  readonly defaultBand?: SeverityBand;
  /** The data source or protection plan that produces it (`VPC flow logs`, `AI Protection` …); may be empty. */
  readonly dataSource: string;
  readonly status: TypeStatus;
  /** The catalogue's own status text when it says more than `status` (e.g. why a type counts as retired). */
  readonly statusNote?: string;
  readonly summary: string;
  /** Where the entry comes from. */
  readonly source: string;
  readonly note?: string;
}

const EntrySchema = z.object({
  type: z.string().min(1),
  resourceTypeAffected: z.string().min(1),
  defaultSeverity: z.string(),
  dataSourceOrFeature: z.string(),
  status: z.string().min(1),
  summary: z.string(),
  source: z.string(),
  note: z.string().optional(),
});
const FileSchema = z.array(EntrySchema);

const CATALOGUE_FILES: ReadonlyArray<readonly [string, unknown]> = [
  ['finding-types.json', currentTypes],
  ['retired-finding-types.json', retiredTypes],
];

/** Alternative spellings seen in AWS material, mapped to the catalogue name (see the note on Object:S3/MaliciousFile). */
const ALIASES: ReadonlyMap<string, string> = new Map([['S3Object:S3/MaliciousFile', 'Object:S3/MaliciousFile']]);

interface Catalogue {
  readonly all: readonly FindingTypeInfo[];
  readonly byType: ReadonlyMap<string, FindingTypeInfo>;
  readonly byLowerType: ReadonlyMap<string, FindingTypeInfo>;
}

let loaded: Catalogue | undefined;

function bandOf(defaultSeverity: string): SeverityBand | undefined {
  const s = defaultSeverity.trim();
  return s === 'Low' || s === 'Medium' || s === 'High' || s === 'Critical' ? s : undefined;
}

function statusOf(text: string): { status: TypeStatus; statusNote?: string } {
  if (text === 'active' || text === 'active (opt-in)' || text === 'retired') return { status: text };
  // e.g. "RETIRED per current docs guardduty_finding-types-retired …; older docs list it as active"
  if (/retired/i.test(text)) return { status: 'retired', statusNote: text };
  return { status: 'active', statusNote: text };
}

/** Validates one catalogue file (imported as a JSON module, so bundles such as the Lambda's carry it inline). */
function readCatalogueFile(name: string, json: unknown): z.infer<typeof FileSchema> {
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `$${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}` : '$';
    throw new TourniquetError('catalogue.invalid', `data/${name}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function load(): Catalogue {
  if (loaded !== undefined) return loaded;
  const all: FindingTypeInfo[] = [];
  const byType = new Map<string, FindingTypeInfo>();
  for (const [file, json] of CATALOGUE_FILES) {
    for (const e of readCatalogueFile(file, json)) {
      if (byType.has(e.type)) continue; // the current list wins over the retired one
      const band = bandOf(e.defaultSeverity);
      const info: FindingTypeInfo = Object.freeze({
        type: e.type,
        resource: e.resourceTypeAffected,
        defaultSeverity: e.defaultSeverity === '' ? '?' : e.defaultSeverity,
        ...(band !== undefined ? { defaultBand: band } : {}),
        dataSource: e.dataSourceOrFeature,
        ...statusOf(e.status),
        summary: e.summary,
        source: e.source,
        ...(e.note !== undefined ? { note: e.note } : {}),
      });
      all.push(info);
      byType.set(info.type, info);
    }
  }
  all.sort((a, b) => (a.resource === b.resource ? a.type.localeCompare(b.type) : a.resource.localeCompare(b.resource)));
  const byLowerType = new Map<string, FindingTypeInfo>();
  for (const info of all) byLowerType.set(info.type.toLowerCase(), info);
  loaded = { all: Object.freeze(all), byType, byLowerType };
  return loaded;
}

/** Every catalogued type (current and retired), sorted by resource then type. */
export function allTypes(): readonly FindingTypeInfo[] {
  return load().all;
}

/** The entry for a type: exact match first, then a known alias, then a case-insensitive match. */
export function lookupType(type: string): FindingTypeInfo | undefined {
  const c = load();
  const t = type.trim();
  return c.byType.get(t) ?? c.byType.get(ALIASES.get(t) ?? '') ?? c.byLowerType.get(t.toLowerCase());
}

/**
 * Types matching a pattern, case-insensitively: with `*` a glob over the whole type name (`Impact:IAMUser/*`,
 * `*:EC2/*!DNS`), otherwise a substring of the type name (`bitcoin`, `:Lambda/`).
 */
export function searchTypes(pattern: string): FindingTypeInfo[] {
  const p = pattern.trim();
  if (p === '') return [...load().all];
  if (p.includes('*')) {
    const source = p
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    const re = new RegExp(`^${source}$`, 'i');
    return load().all.filter((i) => re.test(i.type));
  }
  const needle = p.toLowerCase();
  return load().all.filter((i) => i.type.toLowerCase().includes(needle));
}

/** Catalogued types grouped by resource segment, groups and types in catalogue order. */
export function groupByResource(types: readonly FindingTypeInfo[]): Map<string, FindingTypeInfo[]> {
  const groups = new Map<string, FindingTypeInfo[]>();
  for (const t of types) {
    const g = groups.get(t.resource);
    if (g) g.push(t);
    else groups.set(t.resource, [t]);
  }
  return groups;
}

/**
 * The `resource.resourceType` values findings of this type usually carry (reference §1.2.1: observed in docs and
 * samples). A hint for humans, not a rule: samples and some policy findings carry other values.
 */
export function usualResourceTypes(type: string): readonly string[] {
  const [purpose, rest] = type.split(':', 2);
  const segment = rest?.split('/', 1)[0] ?? '';
  if (purpose === 'AttackSequence') return ['AttackSequence'];
  if (purpose === 'Object' && segment === 'S3') return ['S3Object'];
  switch (segment) {
    case 'EC2':
      return ['Instance'];
    case 'IAMUser':
      return ['AccessKey'];
    case 'S3':
      return ['S3Bucket', 'AccessKey'];
    case 'Kubernetes':
      return ['EKSCluster'];
    case 'Runtime':
      return ['Instance', 'EKSCluster', 'ECSCluster', 'Container'];
    case 'Container':
      return ['Container'];
    case 'ECS':
      return ['ECSCluster'];
    case 'Lambda':
      return ['Lambda'];
    case 'RDS':
      return ['RDSDBInstance'];
    default:
      return [];
  }
}
