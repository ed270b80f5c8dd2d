/**
 * Scenario-test harness: moto_server with a seeded GPU fleet, the real engine (createResponder) on an in-memory
 * embedded journal, evidence in a temp folder, and a recorder of every AWS call the engine makes.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import type { AnyAction } from '../../src/actions/action.js';
import type { CallRecord } from '../../src/aws/clients.js';
import { startMotoServer, type MotoServer } from '../../src/aws/moto-server.js';
import { buildEc2DrillFinding, type Ec2DrillOptions } from '../../src/drill/ec2-finding.js';
import { readInstanceState, type InstanceState } from '../../src/drill/read-instance-state.js';
import { seedGpuFleet, type SeedClients, type SeededFleet } from '../../src/drill/seed-gpu-fleet.js';
import { createResponder } from '../../src/engine/create-responder.js';
import type { Responder } from '../../src/engine/responder.js';
import type { RetryOptions } from '../../src/engine/retry.js';
import type { Finding } from '../../src/findings/model.js';
import { parseRecord } from '../../src/findings/read-input.js';
import type { Journal } from '../../src/journal/journal.js';
import { openJournal } from '../../src/journal/open-journal.js';
import { MemoryNotifier } from '../../src/notify/notification.js';
import { parsePolicy } from '../../src/policy/load-policy.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export const CONTAIN_POLICY = `
version: 1
defaults: { mode: approve }
rules:
  - name: gpu-crypto
    match: { type: ["CryptoCurrency:EC2/*"], subject: [ec2-instance] }
    mode: contain
`;

export interface Harness {
  readonly moto: MotoServer;
  readonly clients: SeedClients;
  readonly evidenceDir: string;
  seed(name?: string): Promise<SeededFleet>;
  finding(instanceId: string, options?: Partial<Ec2DrillOptions>): Promise<Finding>;
  engine(options?: {
    policy?: string;
    journal?: Journal;
    getAction?: (name: string) => AnyAction;
    runnerId?: string;
    now?: () => Date;
    /** Where the engine's AWS calls go (default: moto; e.g. a fault proxy in front of it). */
    endpoint?: string;
    retry?: RetryOptions;
  }): Promise<Engine>;
  state(fleet: SeededFleet, caseId?: string, instanceId?: string): Promise<InstanceState>;
  close(): Promise<void>;
}

export interface Engine {
  readonly responder: Responder;
  readonly journal: Journal;
  readonly calls: CallRecord[];
  readonly notifier: MemoryNotifier;
}

/** `motoEnv`: extra environment of the moto_server process (e.g. `MOTO_IAM_LOAD_MANAGED_POLICIES`). */
export async function startHarness(options: { motoEnv?: Record<string, string> } = {}): Promise<Harness> {
  const moto = await startMotoServer(options.motoEnv ? { env: options.motoEnv } : {});
  const cfg = { endpoint: moto.endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_REGION = REGION;
  const clients: SeedClients = {
    ec2: new EC2Client(cfg),
    autoScaling: new AutoScalingClient(cfg),
    elbv2: new ElasticLoadBalancingV2Client(cfg),
    iam: new IAMClient(cfg),
  };
  const evidenceDir = await mkdtemp(join(tmpdir(), 'tourniquet-test-'));
  const journals: Journal[] = [];
  return {
    moto,
    clients,
    evidenceDir,
    seed: (name) => seedGpuFleet(clients, { name }),
    async finding(instanceId, options = {}) {
      const d = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      const raw = buildEc2DrillFinding(d.Reservations![0]!.Instances![0]!, { accountId: ACCOUNT, region: REGION, ...options });
      const rec = parseRecord(raw, { name: 'test-drill' });
      if (rec.kind !== 'finding') throw new Error('not a finding');
      return rec;
    },
    async engine(options = {}) {
      const journal = options.journal ?? (await openJournal({}));
      if (!options.journal) {
        await journal.ensureTable();
        journals.push(journal);
      }
      const calls: CallRecord[] = [];
      const notifier = new MemoryNotifier();
      const responder = createResponder({
        journal,
        policy: parsePolicy(options.policy ?? CONTAIN_POLICY, 'test-policy.yaml'),
        endpoint: options.endpoint ?? moto.endpoint,
        evidence: { dir: evidenceDir },
        notifier,
        onCall: (c) => calls.push(c),
        getAction: options.getAction,
        runnerId: options.runnerId,
        now: options.now,
        retry: options.retry ?? { baseDelayMs: 5, maxDelayMs: 20 },
      });
      return { responder, journal, calls, notifier };
    },
    state: (fleet, caseId, instanceId) =>
      readInstanceState(clients, instanceId ?? fleet.targetInstanceId, { targetGroupArns: [fleet.targetGroupArn], roleName: fleet.roleName, caseId }),
    async close() {
      for (const j of journals) await j.close();
      await moto.stop();
    },
  };
}

/** AWS operations that change nothing. */
export function isReadOnlyOperation(operation: string): boolean {
  return /^(Describe|Get|List)/.test(operation.replace(/Command$/, ''));
}
