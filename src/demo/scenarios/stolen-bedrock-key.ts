/**
 * A stolen Bedrock key (LLMjacking): an IAM user with a real access key in moto_server, and a GuardDuty AI Protection
 * finding (Impact:IAMUser/AnomalousModelInvocation, from samples/synthesized/) whose accessKeyDetails carry that key
 * and user. The iam-user playbook contains the user; every change is read back from the emulator with the demo's own
 * client, a re-delivery changes nothing, and the release restores each key's status exactly.
 *
 * moto has no service-specific-credential API (Bedrock API keys), so this demo's policy skips that one step; it is
 * proven with aws-sdk-client-mock in the playbook's unit tests. moto is started with its AWS managed policies loaded,
 * so AWSCompromisedKeyQuarantineV3 exists as in AWS.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  GetLoginProfileCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListUserPoliciesCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { verifyManifest } from '../../evidence/verify-manifest.js';
import type { Finding } from '../../findings/model.js';
import { parseRecord } from '../../findings/read-input.js';
import { formatDecision, formatPlan } from '../../cli/print-incident.js';
import type { DemoScenario, ScenarioContext } from '../scenario.js';

const USER = 'bedrock-app';
const QUARANTINE_POLICY = 'AWSCompromisedKeyQuarantineV3';
const OWN_POLICY = { Version: '2012-10-17', Statement: [{ Sid: 'AppInvokesModels', Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: '*' }] };

/** examples/tourniquet.yaml's identity contain rule, with the one step moto cannot run skipped. */
const POLICY = `version: 1
defaults: { mode: approve }
rules:
  - name: ai-identity-contain
    description: As in examples/tourniquet.yaml. Bedrock API keys are skipped here only because moto lacks the API.
    match:
      type: ["Impact:IAMUser/AnomalousModelInvocation", "Impact:IAMUser/CostHarvesting", "Impact:IAMUser/PromptInjection.Direct"]
      subject: [iam-user]
      ai: true
      severity: { min: 5 }
    mode: contain
    steps:
      deactivate-bedrock-keys: skip
`;

export const stolenBedrockKeyScenario: DemoScenario = {
  name: 'stolen-bedrock-key',
  summary: 'an IAM user key abused for Bedrock (AI Protection finding): keys deactivated, quarantined, released exactly',
  policyYaml: POLICY,
  emulatorEnv: { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
  run,
};

interface UserState {
  readonly keys: Record<string, string>;
  readonly attached: string[];
  readonly inline: string[];
  readonly console: boolean;
}

async function readUser(iam: IAMClient): Promise<UserState> {
  const keys = (await iam.send(new ListAccessKeysCommand({ UserName: USER }))).AccessKeyMetadata ?? [];
  const attached = (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: USER }))).AttachedPolicies ?? [];
  const inline = (await iam.send(new ListUserPoliciesCommand({ UserName: USER }))).PolicyNames ?? [];
  const console = await iam.send(new GetLoginProfileCommand({ UserName: USER })).then(
    () => true,
    (err: unknown) => {
      if (err instanceof Error && err.name === 'NoSuchEntityException') return false;
      throw err;
    },
  );
  return {
    keys: Object.fromEntries(keys.map((k) => [k.AccessKeyId!, k.Status!])),
    attached: attached.map((p) => p.PolicyName!).sort(),
    inline: [...inline].sort(),
    console,
  };
}

async function run({ log, check, accountId, region, clientConfig, runtime, evidenceDir }: ScenarioContext): Promise<void> {
  const iam = new IAMClient(clientConfig);
  log(`2. Seeding IAM user ${USER}: an Active access key (the one stolen), an Inactive old key, a console password, its own policy…`);
  const created = await iam.send(new CreateUserCommand({ UserName: USER }));
  const stolen = (await iam.send(new CreateAccessKeyCommand({ UserName: USER }))).AccessKey!.AccessKeyId!;
  const old = (await iam.send(new CreateAccessKeyCommand({ UserName: USER }))).AccessKey!.AccessKeyId!;
  await iam.send(new UpdateAccessKeyCommand({ UserName: USER, AccessKeyId: old, Status: 'Inactive' }));
  await iam.send(new CreateLoginProfileCommand({ UserName: USER, Password: 'Demo-Password-1!', PasswordResetRequired: false }));
  await iam.send(new PutUserPolicyCommand({ UserName: USER, PolicyName: 'app-invokes-models', PolicyDocument: JSON.stringify(OWN_POLICY) }));
  const before = await readUser(iam);
  log(`   keys ${JSON.stringify(before.keys)}; inline policies ${before.inline.join(', ')}`);

  log('3. GuardDuty AI Protection reports anomalous model invocations with that key (sample finding, real key and user)…');
  const finding = aiFinding(accountId, region, stolen, created.User!.UserId!);
  log(`   ${finding.type.raw} severity ${finding.severity}; subjects: ${finding.subjects.map((s) => `${s.kind} ${s.id}`).join(', ')}`);

  log('4. The engine responds (contain Bedrock abuse by an IAM user at severity ≥ 5)…');
  const result = await runtime.responder.respond(finding);
  const outcome = result.outcomes.find((o) => o.subject.kind === 'iam-user');
  check('incident for the IAM user, playbook iam-user, mode contain', outcome?.decision.playbook === 'iam-user' && outcome.decision.effectiveMode === 'contain', outcome ? `${outcome.decision.playbook}, ${outcome.decision.effectiveMode}` : 'no incident for the user');
  if (outcome === undefined) return;
  const incidentId = outcome.incidentId;
  for (const l of formatDecision(outcome.decision)) log(l);
  log('   steps:');
  for (const l of formatPlan((await runtime.responder.getIncident(incidentId)).plan, outcome.steps)) log(l);

  log('5. Reading the user back from the emulator…');
  const after = await readUser(iam);
  check('every access key Inactive', Object.values(after.keys).length === 2 && Object.values(after.keys).every((s) => s === 'Inactive'), JSON.stringify(after.keys));
  check(`${QUARANTINE_POLICY} attached`, after.attached.includes(QUARANTINE_POLICY), after.attached.join(', ') || '(none)');
  const deny = after.inline.filter((n) => !before.inline.includes(n));
  check('Tourniquet AI deny added inline, the user’s own policy kept', deny.length === 1 && before.inline.every((n) => after.inline.includes(n)), after.inline.join(', '));
  check('console access removed', !after.console, after.console ? 'login profile still there' : 'no login profile');
  const statusOf = (id: string) => outcome.steps.find((s) => s.stepId === id)?.status ?? 'not planned';
  check('MFA deactivation waits for a human (destructive)', statusOf('deactivate-mfa-devices') === 'awaiting-approval', statusOf('deactivate-mfa-devices'));

  log('6. GuardDuty re-delivers the same finding…');
  const again = await runtime.responder.respond(finding);
  const unchanged = await readUser(iam);
  check('re-delivery is a no-op', again.outcomes.every((o) => o.duplicate) && JSON.stringify(unchanged) === JSON.stringify(after), again.outcomes.map((o) => (o.duplicate ? 'duplicate' : 'processed')).join(','));

  log('7. Releasing the incident…');
  const released = await runtime.responder.release(incidentId, { by: 'demo', reason: 'the key was rotated by its owner' });
  log(`   restored: ${released.released.join(', ')}`);
  const restored = await readUser(iam);
  check('release succeeded', released.failed.length === 0 && released.incident.status === 'released', released.incident.status);
  check('each key’s status restored exactly', JSON.stringify(restored.keys) === JSON.stringify(before.keys), JSON.stringify(restored.keys));
  check('quarantine policy detached', JSON.stringify(restored.attached) === JSON.stringify(before.attached), restored.attached.join(', ') || '(none)');
  check('inline policies as before', JSON.stringify(restored.inline) === JSON.stringify(before.inline), restored.inline.join(', '));
  check('console login profile recreated (new password to be set)', restored.console, restored.console ? 'login profile present' : 'none');

  log('8. Verifying the evidence manifest (SHA-256, chained)…');
  const incident = await runtime.responder.getIncident(incidentId);
  const verdict = await verifyManifest(incident.evidenceLocation ?? join(evidenceDir, incidentId));
  check('evidence chain intact', verdict.ok, `${verdict.entries} entries at ${incident.evidenceLocation ?? '-'}`);
}

/** The AI Protection sample as a real finding (not a sample) about the seeded user's key, first seen now. */
function aiFinding(accountId: string, region: string, accessKeyId: string, principalId: string): Finding {
  const raw = JSON.parse(
    readFileSync(new URL('../../../samples/synthesized/Impact-IAMUser-AnomalousModelInvocation.SYNTHESIZED.json', import.meta.url), 'utf8'),
  ) as { account: string; region: string; detail: Record<string, unknown> & { resource: { accessKeyDetails: Record<string, unknown> }; service: Record<string, unknown> } };
  const now = new Date().toISOString();
  Object.assign(raw, { account: accountId, region });
  const d = raw.detail;
  Object.assign(d, { accountId, region, id: `demo-stolen-key-${accessKeyId}`, severity: 5, createdAt: now, updatedAt: now });
  d['arn'] = `arn:aws:guardduty:${region}:${accountId}:detector/12abc34d567e8fa901bc2d34e56789f0/finding/${String(d['id'])}`;
  Object.assign(d.resource.accessKeyDetails, { accessKeyId, principalId, userName: USER, userType: 'IAMUser' });
  Object.assign(d.service, { eventFirstSeen: now, eventLastSeen: now });
  const record = parseRecord(raw, { name: 'demo' });
  if (record.kind !== 'finding') throw new Error('the AI Protection sample did not parse as a finding');
  return record;
}
