/**
 * What moto_server holds, read back from the emulator itself (its `/moto-api/data.json` dump of the models of every
 * service used so far), so a test can show that nothing was created or changed without trusting the engine's own
 * call log: a snapshot, security group, NACL, role policy, tag, instance attribute or state, target registration,
 * S3 object or DynamoDB item written anywhere shows up. Reads do not change the dump.
 * Not complete, measured with moto 5.2: the dump lists every model object moto has built since it started, so a
 * deleted resource stays in it unchanged (a deletion shows only where it changes another model, e.g. a role's
 * policies); and attributes that hold other models or live in backend tables are left out, notably an ENI's security
 * groups and an instance's metadata options. Always pair it with a read of the resources at stake
 * (readInstanceState covers exactly those). Each read costs about a second (moto serializes ~5 MB, mostly AMIs).
 */
import { isDeepStrictEqual } from 'node:util';

/** service → model type → the models, as moto serializes them. */
export type EmulatorState = Record<string, Record<string, unknown[]>>;

export async function emulatorState(endpoint: string): Promise<EmulatorState> {
  const res = await fetch(new URL('/moto-api/data.json', endpoint));
  if (!res.ok) throw new Error(`moto_server ${endpoint}: /moto-api/data.json answered ${res.status}`);
  return (await res.json()) as EmulatorState;
}

/** A model's identity in the dump, for the report: its id, ARN or name when it has one. */
function label(model: unknown, index: number): string {
  if (model !== null && typeof model === 'object') {
    const m = model as Record<string, unknown>;
    for (const key of ['id', 'arn', 'name', 'role_name', 'group_id', 'instance_id', 'key']) {
      if (typeof m[key] === 'string') return m[key];
    }
  }
  return `#${index}`;
}

/**
 * Models moto creates when it answers a read, which AWS does not keep: DescribeTargetHealth records a fresh health
 * status per target on every call. The registrations themselves live in the target group's model, still compared.
 */
const READ_ARTEFACTS = new Set(['elbv2.FakeHealthStatus']);

/**
 * What differs between two dumps, one line per model added, removed or changed (`ec2.Instance i-0abc changed`);
 * empty when the emulator holds exactly the same state. Compact, so a failing test names what changed.
 * `ignore` leaves out model types (`service.Type`) the caller compares another way.
 */
export function emulatorChanges(before: EmulatorState, after: EmulatorState, options: { ignore?: readonly string[] } = {}): string[] {
  const ignored = new Set([...READ_ARTEFACTS, ...(options.ignore ?? [])]);
  const changes: string[] = [];
  for (const service of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = before[service] ?? {};
    const a = after[service] ?? {};
    for (const type of new Set([...Object.keys(b), ...Object.keys(a)])) {
      if (ignored.has(`${service}.${type}`)) continue;
      const was = b[type] ?? [];
      const now = a[type] ?? [];
      const unmatched = [...now];
      was.forEach((model, i) => {
        const j = unmatched.findIndex((m) => isDeepStrictEqual(m, model));
        if (j >= 0) unmatched.splice(j, 1);
        else {
          const id = label(model, i);
          const same = unmatched.findIndex((m, k) => label(m, k) === id && !id.startsWith('#'));
          if (same >= 0) {
            unmatched.splice(same, 1);
            changes.push(`${service}.${type} ${id} changed`);
          } else changes.push(`${service}.${type} ${id} removed`);
        }
      });
      unmatched.forEach((model, i) => changes.push(`${service}.${type} ${label(model, i)} added`));
    }
  }
  return changes;
}
