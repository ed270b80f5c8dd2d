/**
 * JSON paths for error messages (`$.detail.resource.instanceDetails.networkInterfaces[0].securityGroups`).
 * Paths are built only along the branches the parser walks, so the cost is a few concatenations per record.
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MAX_KEY_SHOWN = 60;

/** `path.key`, or `path["odd key"]` when the key is not an identifier (attacker-controlled keys are quoted, cut). */
export function childPath(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return `${path}.${key}`;
  const shown = key.length > MAX_KEY_SHOWN ? `${key.slice(0, MAX_KEY_SHOWN)}…` : key;
  return `${path}[${JSON.stringify(shown)}]`;
}

export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

// The parser walks the same paths in every record (`.resource.instanceDetails.networkInterfaces[0]` …); building them
// per record is measurable garbage on exports of millions of lines. Paths are made of our own literals (never input
// keys), so the set is small; indices are cached up to a bound.
const children = new Map<string, Map<string, string>>();
const items = new Map<string, string[]>();
const MAX_CACHED_INDEX = 64;
/** Parents beyond this (paths under large arrays) are built, not cached: the caches stay bounded. */
const MAX_PARENTS = 2048;

/** `parent.key`, cached. `key` must be a literal of the parser (an identifier), never an input key. */
export function sub(parent: string, key: string): string {
  let byKey = children.get(parent);
  if (byKey === undefined) {
    if (children.size >= MAX_PARENTS) return `${parent}.${key}`;
    byKey = new Map();
    children.set(parent, byKey);
  }
  let p = byKey.get(key);
  if (p === undefined) {
    p = `${parent}.${key}`;
    byKey.set(key, p);
  }
  return p;
}

/** `parent[i]`, cached for small indices. */
export function item(parent: string, i: number): string {
  if (i >= MAX_CACHED_INDEX) return `${parent}[${i}]`;
  let list = items.get(parent);
  if (list === undefined) {
    if (items.size >= MAX_PARENTS) return `${parent}[${i}]`;
    list = [];
    items.set(parent, list);
  }
  return (list[i] ??= `${parent}[${i}]`);
}

/**
 * The AWS CLI / SDK member name for a camelCase wire name at `parentKey.key`. Almost always the wire name with its
 * first letter raised; the exceptions come from the GuardDuty service model (jsonName ≠ lowerFirst(member)).
 */
export function pascalNameFor(key: string, parentKey: string | undefined): string {
  switch (key) {
    case 'sourceIPs':
      return 'SourceIps';
    case 'LoginAttributes':
    case 'IamInstanceProfile':
      return key;
    case 'createdAt':
      if (parentKey === 'taskDetails') return 'TaskCreatedAt';
      break;
    case 'type':
      if (parentKey === 'kubernetesWorkload') return 'KubernetesResourcesTypes';
      break;
    case 'productCodeId':
      return 'Code';
    case 'productCodeType':
      return 'ProductType';
    case 'account':
      if (parentKey === 'account') return 'Name';
      break;
    case 'lat':
      if (parentKey === 'location') return 'Latitude';
      break;
    case 'lon':
      if (parentKey === 'location') return 'Longitude';
      break;
  }
  return key.length === 0 ? key : key[0]!.toUpperCase() + key.slice(1);
}

const SEGMENT = /\.([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;

/** Rewrites a camelCase path relative to a finding (`.resource.instanceDetails`) into PascalCase member names. */
export function toPascalPath(relative: string): string {
  let out = '';
  let parent: string | undefined;
  for (const m of relative.matchAll(SEGMENT)) {
    if (m[1] !== undefined) {
      out += `.${pascalNameFor(m[1], parent)}`;
      parent = m[1];
    } else {
      out += m[0];
    }
  }
  return out;
}
