import type { Command } from 'commander';
import { tryParseFindingType } from '../../findings/finding-type.js';
import type { FindingType } from '../../findings/model.js';
import {
  allTypes,
  groupByResource,
  lookupType,
  searchTypes,
  usualResourceTypes,
  type FindingTypeInfo,
} from '../../findings/type-catalogue.js';
import { formatTable, terminalSafe } from '../format-table.js';
import type { ReportExit } from './index.js';

/** What the optional name parts mean (guardduty_finding-format: DetectionMechanism and Artifact). */
const MECHANISM_MEANING: ReadonlyMap<string, string> = new Map([
  ['Custom', 'matched one of your own threat lists'],
  ['Reputation', 'flagged by the domain reputation model'],
  ['InsideAWS', 'used from another AWS account'],
  ['OutsideAWS', 'used from outside AWS'],
]);
const ARTIFACT_MEANING: ReadonlyMap<string, string> = new Map([
  ['DNS', 'seen in DNS query logs'],
  ['Snapshot', 'found in a scanned EBS snapshot'],
  ['AMI', 'found in a scanned AMI'],
  ['RecoveryPoint', 'found in a scanned backup recovery point'],
]);

interface Flags {
  readonly json?: boolean;
}

/** `tourniquet types [pattern]`: explains finding types from the bundled catalogue (data/finding-types.json). */
export function registerTypesCommand(program: Command, exit: ReportExit): void {
  program
    .command('types')
    .description('explain GuardDuty finding types: resource, default severity, data source, status, summary')
    .argument('[pattern]', 'an exact type (Backdoor:EC2/C&CActivity.B), a substring (bitcoin) or a glob (Impact:IAMUser/*)')
    .option('--json', 'print JSON: an object for an exact type, otherwise an array of matches')
    .action((pattern: string | undefined, flags: Flags) => {
      if (pattern === undefined) {
        print(flags, allTypes(), () => listLines(allTypes()));
        return;
      }
      const exact = pattern.includes('*') ? undefined : lookupType(pattern);
      const matches = exact ? [exact] : searchTypes(pattern);
      // A single match is explained in full; JSON keeps the shape stable: an object only for an exact type.
      const single = exact ?? (matches.length === 1 && !flags.json ? matches[0] : undefined);
      if (single !== undefined) {
        print(flags, explanationJson(single), () => explainLines(single));
        return;
      }
      if (matches.length > 0) {
        print(flags, matches, () => listLines(matches));
        return;
      }
      if (flags.json) process.stdout.write('[]\n');
      process.stderr.write(`${unknownMessage(pattern)}\n`);
      exit(2);
    });
}

function print(flags: Flags, json: unknown, text: () => string[]): void {
  process.stdout.write(flags.json ? `${JSON.stringify(json, null, 2)}\n` : `${text().join('\n')}\n`);
}

function grammarJson(parsed: FindingType | undefined): Record<string, unknown> | null {
  if (parsed === undefined) return null;
  return {
    threatPurpose: parsed.threatPurpose,
    resourceTypeAffected: parsed.resourceTypeAffected,
    family: parsed.family,
    mechanism: parsed.mechanism ?? null,
    artifact: parsed.artifact ?? null,
    custom: parsed.custom,
  };
}

function explanationJson(info: FindingTypeInfo): Record<string, unknown> {
  return { ...info, usualResourceTypes: usualResourceTypes(info.type), grammar: grammarJson(tryParseFindingType(info.type)) };
}

function grammarLines(parsed: FindingType): string[] {
  const mechanism = parsed.mechanism ?? '—';
  const meaning = parsed.mechanism?.split('.').map((m) => MECHANISM_MEANING.get(m)).find((m) => m !== undefined);
  const artifactMeaning = parsed.artifact !== undefined ? ARTIFACT_MEANING.get(parsed.artifact) : undefined;
  return [
    `threat purpose   ${parsed.threatPurpose}`,
    `resource type    ${parsed.resourceTypeAffected}`,
    `threat family    ${parsed.family}`,
    `mechanism        ${mechanism}${meaning ? ` (${meaning})` : ''}`,
    `artifact         ${parsed.artifact ?? '—'}${artifactMeaning ? ` (${artifactMeaning})` : ''}`,
  ];
}

function explainLines(info: FindingTypeInfo): string[] {
  const usual = usualResourceTypes(info.type);
  const parsed = tryParseFindingType(info.type);
  const label = (name: string): string => `  ${name.padEnd(18)}`;
  const lines = [terminalSafe(info.type)];
  if (info.summary) lines.push(`  ${terminalSafe(info.summary)}`);
  lines.push('');
  lines.push(`${label('resource:')}${info.resource}${usual.length ? ` (resource.resourceType usually ${usual.join(' or ')})` : ''}`);
  const severityNote = info.defaultBand ? '' : info.defaultSeverity === '?' ? ' (not documented in the catalogue)' : ' (depends on the detection)';
  lines.push(`${label('default severity:')}${terminalSafe(info.defaultSeverity)}${severityNote}`);
  lines.push(`${label('data source:')}${terminalSafe(info.dataSource || '—')}`);
  lines.push(`${label('status:')}${info.status}${info.statusNote ? ` — ${terminalSafe(info.statusNote)}` : ''}`);
  if (parsed) {
    const [first, ...rest] = grammarLines(parsed);
    lines.push(`${label('grammar:')}${first ?? ''}`);
    for (const l of rest) lines.push(`${' '.repeat(20)}${l}`);
  }
  if (info.note) lines.push(`${label('note:')}${terminalSafe(info.note)}`);
  lines.push(`${label('source:')}${terminalSafe(info.source)}`);
  return lines;
}

function listLines(types: readonly FindingTypeInfo[]): string[] {
  const lines: string[] = [];
  for (const [resource, group] of groupByResource(types)) {
    if (lines.length) lines.push('');
    lines.push(`${resource} (${group.length})`);
    const rows = group.map((t) => [t.type, t.defaultSeverity, t.dataSource || '—', t.status]);
    for (const l of formatTable(['TYPE', 'DEFAULT SEVERITY', 'DATA SOURCE', 'STATUS'], rows, { maxCellWidth: [Infinity, 40, 48, Infinity] })) {
      lines.push(`  ${l}`);
    }
  }
  lines.push('');
  lines.push(`${types.length} type(s). \`tourniquet types <type>\` explains one.`);
  return lines;
}

function unknownMessage(pattern: string): string {
  const shown = terminalSafe(JSON.stringify(pattern));
  const parsed = tryParseFindingType(pattern.trim());
  if (parsed === undefined) return `tourniquet: no finding type matches ${shown}`;
  return (
    `tourniquet: unknown finding type ${shown}: not in the catalogue of ${allTypes().length} types ` +
    `(purpose ${terminalSafe(parsed.threatPurpose)}, resource ${terminalSafe(parsed.resourceTypeAffected)}, ` +
    `family ${terminalSafe(parsed.family)}); it may be newer than the catalogue`
  );
}
