/**
 * The Journal over one DynamoDB table (single-table design, see docs/journal.md). Every state change is a
 * conditional write, so re-delivery and two responders racing are safe. It uses only single-item operations
 * (no TransactWriteItems) and never relies on ReturnValuesOnConditionCheckFailure, so it behaves the same on
 * DynamoDB and on the embedded emulator.
 *
 * Table setup is in dynamo-table.ts, expression building in dynamo-expressions.ts, items ↔ records in item-codecs.ts.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError, StepError, TourniquetError, describeValue } from '../errors.js';
import type { Plan } from '../contracts/plan.js';
import type { Decision } from '../policy/decision.js';
import { awsErrorName, wrapAwsError } from '../aws/wrap-aws-error.js';
import type {
  ApprovalRecord,
  IncidentRecord,
  IncidentStatus,
  Journal,
  LeaseClaim,
  NewIncident,
  NewOccurrence,
  NewTimelineEvent,
  OccurrenceKey,
  OccurrenceRecord,
  StepPatch,
  StepRecord,
  StepStatus,
  TimelineEvent,
} from './journal.js';
import { isReleasedStatus } from './journal.js';
import {
  GSI1,
  INCIDENTS_GSI_PK,
  SK_PREFIX,
  TTL_ATTRIBUTE,
  hourBucket,
  keys,
  minuteBucket,
  newIncidentId,
  uniqueSuffix,
} from './table-layout.js';
import { runLimited } from '../run-limited.js';
import { ensureJournalTable } from './dynamo-table.js';
import { Expr } from './dynamo-expressions.js';
import { checkSize, fromJson, incidentItem, num, str, toIncident, toJson, toOccurrence, toStep, type Item } from './item-codecs.js';

export interface DynamoJournalOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Destroy `client` on close (default true). */
  readonly ownsClient?: boolean;
  /** Runs after the client is destroyed, e.g. stopping the embedded emulator. */
  readonly onClose?: () => Promise<void>;
  /** Longest wait for a new table to become ACTIVE (default 300 s). */
  readonly tableWaitSeconds?: number;
  /** No other process can reach this table while it is open (the embedded journal). Default false. */
  readonly exclusive?: boolean;
}

/** How often openIncident retries after losing a race on the key pointer. */
const OPEN_ATTEMPTS = 8;

export class DynamoJournal implements Journal {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private closed = false;
  readonly exclusive: boolean;

  constructor(private readonly options: DynamoJournalOptions) {
    this.table = options.tableName;
    this.exclusive = options.exclusive ?? false;
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    });
  }

  get tableName(): string {
    return this.table;
  }

  // ---------------------------------------------------------------- table

  async ensureTable(): Promise<void> {
    await ensureJournalTable({ client: this.options.client, tableName: this.table, ...(this.options.tableWaitSeconds !== undefined ? { tableWaitSeconds: this.options.tableWaitSeconds } : {}) });
  }

  // ---------------------------------------------------------------- incidents

  async openIncident(init: NewIncident, now: Date): Promise<{ incident: IncidentRecord; created: boolean }> {
    const pointerKey = keys.openPointer(init.incidentKey);
    for (let attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
      // 1. The key pointer names the open incident. Whoever creates it first chooses the id.
      let pointer = await this.get('GetItem', pointerKey);
      if (pointer === undefined) {
        const candidate = { ...pointerKey, type: 'open-pointer', incidentKey: init.incidentKey, incidentId: newIncidentId(now), createdAt: now.toISOString() };
        try {
          await this.put('PutItem', candidate, 'attribute_not_exists(pk)');
          pointer = candidate;
        } catch (err) {
          if (err instanceof ConflictError) continue; // lost the race: read the winner's pointer
          throw err;
        }
      }
      const incidentId = str(pointer, 'incidentId');
      // 2. The incident item. Whoever writes it first reports created=true (also after a crash between 1 and 2).
      let meta = await this.get('GetItem', keys.incident(incidentId));
      if (meta === undefined) {
        const item = incidentItem(incidentId, init, now);
        try {
          await this.put('PutItem', item, 'attribute_not_exists(pk)');
          return { incident: toIncident(item), created: true };
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
          meta = await this.get('GetItem', keys.incident(incidentId));
          if (meta === undefined) continue;
        }
      }
      const incident = toIncident(meta);
      if (!isReleasedStatus(incident.status)) return { incident, created: false };
      // 3. A released incident does not absorb new findings: retire its pointer (if still ours) and start over.
      await this.deletePointer(init.incidentKey, incidentId);
    }
    throw new ConflictError(
      `could not open an incident for key ${describeValue(init.incidentKey)} after ${OPEN_ATTEMPTS} attempts (heavy contention)`,
    );
  }
  private async deletePointer(incidentKey: string, incidentId: string): Promise<void> {
    try {
      await this.run('DeleteItem', () =>
        this.doc.send(
          new DeleteCommand({
            TableName: this.table,
            Key: keys.openPointer(incidentKey),
            ConditionExpression: 'incidentId = :id',
            ExpressionAttributeValues: { ':id': incidentId },
          }),
        ),
      );
    } catch (err) {
      // Already gone or already pointing at a newer incident: nothing to retire.
      if (err instanceof ConflictError) return;
      throw err;
    }
  }

  // ---------------------------------------------------------------- occurrences

  async claimOccurrence(
    incidentId: string,
    occurrence: NewOccurrence,
    claim: LeaseClaim,
    now: Date,
    options: { takeOverFrom?: string } = {},
  ): Promise<{ occurrence: OccurrenceRecord; claimed: boolean }> {
    const key = keys.occurrence(incidentId, occurrence.findingId, occurrence.severity, occurrence.count);
    if (options.takeOverFrom !== undefined) {
      // Only an undecided claim still held by the owner the caller saw (and knows to be gone) moves.
      const res = await this.run('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: key,
            UpdateExpression: 'SET claimedBy = :me, claimProcess = :proc, claimUntil = :until',
            ConditionExpression: '#status = :claimed AND claimedBy = :gone',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':me': claim.owner, ':proc': claim.process, ':until': claim.until, ':claimed': 'claimed', ':gone': options.takeOverFrom },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return { occurrence: toOccurrence(res.Attributes ?? {}), claimed: true };
    }
    if ((await this.get('GetItem', keys.incident(incidentId))) === undefined) throw new NotFoundError('incident', incidentId);
    const item: Item = {
      ...key,
      type: 'occurrence',
      incidentId,
      findingId: occurrence.findingId,
      findingType: occurrence.findingType,
      severity: occurrence.severity,
      count: occurrence.count,
      updatedAt: occurrence.updatedAt,
      status: 'claimed',
      recordedAt: now.toISOString(),
      claimedBy: claim.owner,
      claimProcess: claim.process,
      claimUntil: claim.until,
    };
    checkSize(`occurrence of ${incidentId}`, item);
    try {
      await this.put('PutItem', item, 'attribute_not_exists(pk)');
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      // Re-delivery, or another responder claimed it first: what is stored tells the caller what is left to do.
      const existing = await this.get('GetItem', key);
      if (existing === undefined) throw err;
      return { occurrence: toOccurrence(existing), claimed: false };
    }
    // A counter, not a state change: the optimistic-locking version is left alone.
    await this.run('UpdateItem', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.incident(incidentId),
          UpdateExpression: 'ADD occurrences :one SET updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':one': 1, ':now': now.toISOString() },
        }),
      ),
    );
    return { occurrence: toOccurrence(item), claimed: true };
  }

  async decideOccurrence(incidentId: string, key: OccurrenceKey, decided: { decision: Decision; plan: Plan }, owner: string, now: Date): Promise<OccurrenceRecord> {
    const decisionText = toJson('decision', decided.decision);
    const planText = toJson('plan', decided.plan);
    checkSize(`occurrence decision of ${incidentId}`, { decisionText, planText });
    const res = await this.run('UpdateItem', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.occurrence(incidentId, key.findingId, key.severity, key.count),
          UpdateExpression: 'SET #status = :decided, decision = :d, #plan = :p, decidedAt = :now',
          ConditionExpression: '#status = :claimed AND claimedBy = :me',
          ExpressionAttributeNames: { '#status': 'status', '#plan': 'plan' },
          ExpressionAttributeValues: { ':decided': 'decided', ':d': decisionText, ':p': planText, ':now': now.toISOString(), ':claimed': 'claimed', ':me': owner },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return toOccurrence(res.Attributes ?? {});
  }

  async updateOccurrence(incidentId: string, key: OccurrenceKey, patch: { merge?: string; evidenceWritten?: boolean }, now: Date): Promise<void> {
    const u = new Expr();
    if (patch.merge !== undefined) {
      u.set('merge', patch.merge);
      u.set('mergedAt', now.toISOString());
      u.set('status', 'merged');
    }
    if (patch.evidenceWritten !== undefined) u.set('evidenceWritten', patch.evidenceWritten);
    if (Object.keys(u.values).length === 0) return;
    await this.run('UpdateItem', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.occurrence(incidentId, key.findingId, key.severity, key.count),
          UpdateExpression: u.updateExpression(),
          // Never resurrects a claim: only a decided occurrence is merged.
          ConditionExpression: `attribute_exists(pk) AND ${u.name('status')} <> ${u.value('claimed')}`,
          ExpressionAttributeNames: u.names,
          ExpressionAttributeValues: u.values,
        }),
      ),
    );
  }

  async getOccurrence(incidentId: string, key: OccurrenceKey): Promise<OccurrenceRecord | undefined> {
    const item = await this.get('GetItem', keys.occurrence(incidentId, key.findingId, key.severity, key.count));
    return item === undefined ? undefined : toOccurrence(item);
  }

  async listOccurrences(incidentId: string): Promise<OccurrenceRecord[]> {
    const out: OccurrenceRecord[] = [];
    for await (const item of this.query(this.prefixQuery(incidentId, SK_PREFIX.occurrence))) out.push(toOccurrence(item));
    return out;
  }

  async openIncidentId(incidentKey: string): Promise<string | undefined> {
    const pointer = await this.get('GetItem', keys.openPointer(incidentKey));
    return pointer === undefined ? undefined : str(pointer, 'incidentId');
  }

  async getIncident(incidentId: string): Promise<IncidentRecord | undefined> {
    const item = await this.get('GetItem', keys.incident(incidentId));
    return item === undefined ? undefined : toIncident(item);
  }

  async listIncidents(options: { status?: IncidentStatus; limit?: number; attackSequenceId?: string } = {}): Promise<IncidentRecord[]> {
    const limit = options.limit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      throw new TourniquetError('journal.limit', `limit must be a non-negative integer, received ${describeValue(limit)}`);
    }
    if (limit === 0) return [];
    const input: QueryCommandInput = {
      TableName: this.table,
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': INCIDENTS_GSI_PK },
      ScanIndexForward: false,
    };
    if (options.status !== undefined) {
      input.FilterExpression = '#status = :s';
      input.ExpressionAttributeNames = { '#status': 'status' };
      input.ExpressionAttributeValues = { ':p': INCIDENTS_GSI_PK, ':s': options.status };
    }
    if (options.attackSequenceId !== undefined) {
      const bySequence = 'attackSequenceId = :seq';
      input.FilterExpression = input.FilterExpression === undefined ? bySequence : `${input.FilterExpression} AND ${bySequence}`;
      input.ExpressionAttributeValues = { ...input.ExpressionAttributeValues, ':seq': options.attackSequenceId };
    }
    const out: IncidentRecord[] = [];
    for await (const item of this.query(input)) {
      out.push(toIncident(item));
      if (limit !== undefined && out.length >= limit) break;
    }
    return out;
  }

  async updateIncident(
    incidentId: string,
    patch: Partial<Pick<IncidentRecord, 'status' | 'releasedBy' | 'releaseReason' | 'releasedAt' | 'evidenceLocation' | 'plan' | 'mode' | 'decision' | 'playbook' | 'findingId' | 'findingType' | 'severity' | 'attackSequenceId'>>,
    now: Date,
    expectedVersion?: number,
  ): Promise<IncidentRecord> {
    const u = new Expr();
    for (const field of ['status', 'releasedBy', 'releaseReason', 'releasedAt', 'evidenceLocation', 'mode', 'playbook', 'findingId', 'findingType', 'severity', 'attackSequenceId'] as const) {
      const value = patch[field];
      if (value !== undefined) u.set(field, value);
    }
    if (patch.plan !== undefined) u.set('plan', toJson('plan', patch.plan));
    if (patch.decision !== undefined) u.set('decision', toJson('decision', patch.decision));
    u.set('updatedAt', now.toISOString());
    u.add('version', 1);
    checkSize(`incident ${incidentId}`, u.values);
    let condition = 'attribute_exists(pk)';
    if (expectedVersion !== undefined) condition += ` AND ${u.name('version')} = ${u.value(expectedVersion)}`;
    let item: Item;
    try {
      const res = await this.run('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: keys.incident(incidentId),
            UpdateExpression: u.updateExpression(),
            ConditionExpression: condition,
            ExpressionAttributeNames: u.names,
            ExpressionAttributeValues: u.values,
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      item = res.Attributes ?? {};
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const current = await this.getIncident(incidentId);
      if (current === undefined) throw new NotFoundError('incident', incidentId);
      throw new ConflictError(
        `incident ${incidentId} is at version ${current.version}, expected ${String(expectedVersion)} (updated by someone else)`,
        { cause: err },
      );
    }
    const incident = toIncident(item);
    if (patch.status !== undefined && isReleasedStatus(patch.status)) await this.deletePointer(incident.incidentKey, incidentId);
    return incident;
  }

  // ---------------------------------------------------------------- steps

  async putSteps(incidentId: string, steps: ReadonlyArray<{ stepId: string; action: string; status: StepStatus; ordinal?: number }>, now: Date): Promise<StepRecord[]> {
    const at = now.toISOString();
    const created: Array<{ record: StepRecord; ordinal: number }> = [];
    // Up to 16 at once: a plan of that size costs one round trip against DynamoDB, not two.
    await runLimited(steps.map((s, index) => ({ s, ordinal: s.ordinal ?? index })), 16, async ({ s, ordinal }) => {
      const item = { ...keys.step(incidentId, s.stepId), type: 'step', incidentId, stepId: s.stepId, action: s.action, status: s.status, attempts: 0, ordinal, updatedAt: at };
      try {
        await this.put('PutItem', item, 'attribute_not_exists(pk)');
      } catch (err) {
        if (err instanceof ConflictError) return; // exists: left as it is
        throw err;
      }
      created.push({ record: toStep(item), ordinal });
    });
    return created.sort((a, b) => a.ordinal - b.ordinal || a.record.stepId.localeCompare(b.record.stepId)).map((c) => c.record);
  }

  async getSteps(incidentId: string): Promise<StepRecord[]> {
    const items: Item[] = [];
    for await (const item of this.query(this.prefixQuery(incidentId, SK_PREFIX.step))) items.push(item);
    // In the order putSteps received them (the plan's order), then by id.
    items.sort((a, b) => num(a, 'ordinal', 0) - num(b, 'ordinal', 0) || str(a, 'stepId').localeCompare(str(b, 'stepId')));
    return items.map(toStep);
  }

  /**
   * `options.leaseOwner` (an optional fence): when set and `from` includes `running`, a running step matches only when
   * its lease is held by that owner or has expired. A patch that sets `leaseOwner` is a claim and is fenced the same way
   * by the patch's owner. Without either, `running` matches whoever holds it (the lease holder finishing its step).
   */
  async transitionStep(
    incidentId: string,
    stepId: string,
    from: readonly StepStatus[],
    to: StepStatus,
    patch: StepPatch,
    now: Date,
    options: { leaseOwner?: string; takeOver?: string; noPreImage?: boolean } = {},
  ): Promise<StepRecord> {
    if (from.length === 0) throw new StepError(stepId, 'transitionStep needs at least one `from` status');
    const u = new Expr();
    const statusName = u.name('status');
    const others = from.filter((s) => s !== 'running');
    const alternatives: string[] = [];
    if (others.length > 0) alternatives.push(`${statusName} IN (${others.map((s) => u.value(s)).join(', ')})`);
    if (from.includes('running')) {
      const owner = typeof patch.leaseOwner === 'string' ? patch.leaseOwner : options.leaseOwner;
      const running = `${statusName} = ${u.value('running')}`;
      if (owner === undefined) {
        alternatives.push(running);
      } else {
        const lease = u.name('leaseUntil');
        const leaseOwner = u.name('leaseOwner');
        // A claim may also take a step from an owner the caller knows to be gone (and from that owner only).
        const gone = typeof patch.leaseOwner === 'string' && options.takeOver !== undefined ? ` OR ${leaseOwner} = ${u.value(options.takeOver)}` : '';
        alternatives.push(
          `${running} AND (attribute_not_exists(${lease}) OR ${lease} < ${u.value(now.toISOString())} OR ${leaseOwner} = ${u.value(owner)}${gone})`,
        );
      }
    }
    // DynamoDB rejects redundant parentheses, so a single alternative is not wrapped.
    const exists = options.noPreImage === true ? `attribute_exists(pk) AND attribute_not_exists(${u.name('preImage')})` : 'attribute_exists(pk)';
    const condition =
      alternatives.length === 1
        ? `${exists} AND ${alternatives[0] as string}`
        : `${exists} AND (${alternatives.map((a) => (a.includes(' AND ') ? `(${a})` : a)).join(' OR ')})`;

    u.set('status', to);
    u.set('updatedAt', now.toISOString());
    if (patch.attempts !== undefined) u.set('attempts', patch.attempts);
    if (patch.preImage !== undefined) u.set('preImage', toJson('preImage', patch.preImage));
    if (patch.output !== undefined) u.set('output', toJson('output', patch.output));
    if (patch.releaseOutput !== undefined) u.set('releaseOutput', toJson('releaseOutput', patch.releaseOutput));
    if (patch.error === null) u.remove('error');
    else if (patch.error !== undefined) u.set('error', toJson('error', patch.error));
    for (const field of ['startedAt', 'finishedAt', 'approvedBy', 'releasedAt'] as const) {
      const value = patch[field];
      if (value !== undefined) u.set(field, value);
    }
    for (const field of ['leaseOwner', 'leaseUntil', 'leaseProcess'] as const) {
      const value = patch[field];
      if (value === null) u.remove(field);
      else if (value !== undefined) u.set(field, value);
    }
    checkSize(`step ${stepId}`, u.values);

    try {
      const res = await this.run('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: keys.step(incidentId, stepId),
            UpdateExpression: u.updateExpression(),
            ConditionExpression: condition,
            ExpressionAttributeNames: u.names,
            ExpressionAttributeValues: u.values,
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return toStep(res.Attributes ?? {});
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const current = await this.get('GetItem', keys.step(incidentId, stepId));
      if (current === undefined) throw new NotFoundError('step', `${incidentId}/${stepId}`);
      const rec = toStep(current);
      const lease = rec.status === 'running' && rec.leaseOwner !== undefined ? ` (lease held by ${rec.leaseOwner} until ${rec.leaseUntil ?? '?'})` : '';
      throw new ConflictError(
        `step ${stepId} of ${incidentId} is ${rec.status}${lease}; expected ${from.join(' or ')} to move it to ${to}`,
        { cause: err },
      );
    }
  }

  // ---------------------------------------------------------------- timeline, approvals

  async appendEvent(incidentId: string, event: NewTimelineEvent): Promise<void> {
    const item: Item = {
      ...keys.event(incidentId, event.at, uniqueSuffix()),
      type: 'event',
      incidentId,
      at: event.at,
      eventType: event.type,
      message: event.message,
    };
    if (event.data !== undefined) item.data = toJson('event data', event.data);
    checkSize(`event of ${incidentId}`, item);
    await this.put('PutItem', item, 'attribute_not_exists(pk)');
  }

  async listEvents(incidentId: string): Promise<TimelineEvent[]> {
    const out: TimelineEvent[] = [];
    for await (const item of this.query(this.prefixQuery(incidentId, SK_PREFIX.event))) {
      const data = item.data;
      out.push({
        at: str(item, 'at'),
        type: str(item, 'eventType'),
        message: str(item, 'message'),
        ...(typeof data === 'string' ? { data: fromJson('event data', data) } : {}),
      });
    }
    return out;
  }

  async recordApproval(approval: ApprovalRecord): Promise<void> {
    if ((await this.get('GetItem', keys.incident(approval.incidentId))) === undefined) {
      throw new NotFoundError('incident', approval.incidentId);
    }
    const item: Item = {
      ...keys.approval(approval.incidentId, approval.at, approval.stepId, uniqueSuffix()),
      type: 'approval',
      incidentId: approval.incidentId,
      stepId: approval.stepId,
      decision: approval.decision,
      by: approval.by,
      at: approval.at,
    };
    if (approval.reason !== undefined) item.reason = approval.reason;
    await this.put('PutItem', item, 'attribute_not_exists(pk)');
  }

  async listApprovals(incidentId: string): Promise<ApprovalRecord[]> {
    const out: ApprovalRecord[] = [];
    for await (const item of this.query(this.prefixQuery(incidentId, SK_PREFIX.approval))) {
      const decision = str(item, 'decision');
      out.push({
        incidentId: str(item, 'incidentId'),
        stepId: str(item, 'stepId'),
        decision: decision === 'approve' ? 'approve' : 'deny',
        by: str(item, 'by'),
        at: str(item, 'at'),
        ...(typeof item.reason === 'string' ? { reason: item.reason } : {}),
      });
    }
    return out;
  }

  // ---------------------------------------------------------------- guardrail counters

  async takeBudget(accountId: string, now: Date, limit: number): Promise<{ allowed: boolean; used: number }> {
    const key = keys.budget(accountId, now);
    const readUsed = async (): Promise<number> => num((await this.get('GetItem', key)) ?? {}, 'used', 0);
    // With no budget at all nothing can be taken (the condition below would let the first unit through).
    if (!(limit >= 1)) return { allowed: false, used: await readUsed() };
    // Counters expire a day after their hour (TTL), long after anyone reads them.
    const expiresAt = Math.floor(Date.parse(`${hourBucket(now)}:00:00.000Z`) / 1000) + 25 * 3600;
    try {
      const res = await this.run('UpdateItem', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: key,
            UpdateExpression: 'ADD used :one SET #ttl = :exp, accountId = :acct',
            ConditionExpression: 'attribute_not_exists(used) OR used < :limit',
            ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':one': 1, ':exp': expiresAt, ':acct': accountId, ':limit': limit },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      return { allowed: true, used: num(res.Attributes ?? {}, 'used', 1) };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      return { allowed: false, used: await readUsed() };
    }
  }

  async hitBreaker(key: string, now: Date, windowMinutes: number): Promise<number> {
    if (!Number.isInteger(windowMinutes) || windowMinutes < 1 || windowMinutes > 7 * 24 * 60) {
      throw new TourniquetError('journal.window', `breaker window must be 1 to 10080 whole minutes, received ${describeValue(windowMinutes)}`);
    }
    const bucket = minuteBucket(now);
    const expiresAt = Math.floor(now.getTime() / 1000) + (windowMinutes + 60) * 60;
    await this.run('UpdateItem', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.breaker(key, bucket),
          UpdateExpression: 'ADD hits :one SET #ttl = :exp',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':one': 1, ':exp': expiresAt },
        }),
      ),
    );
    // The window is the current minute and the (windowMinutes - 1) before it.
    const first = minuteBucket(new Date(now.getTime() - (windowMinutes - 1) * 60_000));
    const { pk } = keys.breaker(key, bucket);
    let total = 0;
    for await (const item of this.query({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': pk, ':from': first, ':to': bucket },
      ConsistentRead: true,
    })) {
      total += num(item, 'hits', 0);
    }
    return total;
  }

  async claimOnce(key: string, expiresAt: Date, now: Date): Promise<boolean> {
    const exp = Math.ceil(expiresAt.getTime() / 1000);
    try {
      // TTL deletion is lazy, so an expired claim that is still stored counts as free.
      await this.run('PutItem', () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...keys.once(key), type: 'once', key, claimedAt: now.toISOString(), [TTL_ATTRIBUTE]: exp },
            ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
            ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
          }),
        ),
      );
      return true;
    } catch (err) {
      if (err instanceof ConflictError) return false;
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.options.ownsClient ?? true) this.options.client.destroy();
    await this.options.onClose?.();
  }

  // ---------------------------------------------------------------- plumbing

  /** Runs one call: conditional failures become ConflictError, other failures AwsCallError (cause kept). */
  private async run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (awsErrorName(err) === 'ConditionalCheckFailedException') {
        throw new ConflictError(`dynamodb.${operation} on ${this.table}: condition not met`, { cause: err });
      }
      throw wrapAwsError('dynamodb', operation, err);
    }
  }

  private async get(operation: 'GetItem', key: { pk: string; sk: string }): Promise<Item | undefined> {
    const res = await this.run(operation, () => this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true })));
    return res.Item;
  }

  private async put(operation: 'PutItem', item: Item, condition: string): Promise<void> {
    await this.run(operation, () => this.doc.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: condition })));
  }

  private prefixQuery(incidentId: string, prefix: string): QueryCommandInput {
    return {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.incident(incidentId).pk, ':prefix': prefix },
      ConsistentRead: true,
    };
  }

  private async *query(input: QueryCommandInput): AsyncGenerator<Item> {
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.run('Query', () =>
        this.doc.send(new QueryCommand({ ...input, ...(start !== undefined ? { ExclusiveStartKey: start } : {}) })),
      );
      for (const item of res.Items ?? []) yield item;
      start = res.LastEvaluatedKey;
    } while (start !== undefined);
  }
}
