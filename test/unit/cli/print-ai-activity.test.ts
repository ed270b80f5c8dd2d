/**
 * What `tourniquet show` and the notification say about an AI incident: the finding's models and guardrail (from
 * the subject's AI context), and what the activity lookup found, bounded and terminal-safe.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatAiActivity, formatAiContext } from '../../../src/cli/print-ai-activity.js';
import type { Json } from '../../../src/findings/model.js';
import { parseRecord } from '../../../src/findings/read-input.js';
import type { StepRecord } from '../../../src/journal/journal.js';
import { renderText } from '../../../src/notify/notification.js';
import { terminalSafe } from '../../../src/safe-text.js';

function sampleSubjects(name: string) {
  const path = fileURLToPath(new URL(`../../../samples/synthesized/${name}`, import.meta.url));
  const f = parseRecord(JSON.parse(readFileSync(path, 'utf8')), { name: path });
  if (f.kind !== 'finding') throw new Error('not a finding');
  return f.subjects;
}

const step = (output: Json): StepRecord => ({ incidentId: 'inc-1', stepId: 'lookup-ai-activity', action: 'cloudtrail.lookup-principal-activity', status: 'done', attempts: 1, output, updatedAt: '2026-08-01T12:00:00Z' });

describe('the AI context of an incident', () => {
  it('show: the models of a CostHarvesting finding and the guardrail of a PromptInjection one', () => {
    const [cost] = sampleSubjects('Impact-IAMUser-CostHarvesting.SYNTHESIZED.json');
    expect(formatAiContext(cost)).toContain(
      '             model arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0, arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0',
    );
    const [prompt] = sampleSubjects('Impact-IAMUser-PromptInjection.Direct.SYNTHESIZED.json');
    const lines = formatAiContext(prompt);
    expect(lines[0]).toBe('  ai:        finding type Impact:IAMUser/PromptInjection.Direct');
    expect(lines).toContain('             Bedrock guardrail arn:aws:bedrock:us-east-1:111122223333:guardrail/abc123def456 v1: GUARDRAIL_INTERVENED on INPUT; PROMPT_ATTACK HIGH BLOCKED');
  });

  it('the notification carries the same lines', () => {
    const [prompt] = sampleSubjects('Impact-IAMUser-PromptInjection.Direct.SYNTHESIZED.json');
    const text = renderText({
      incidentId: 'inc-1', status: 'awaiting-approval', reason: 'new', findingType: 'Impact:IAMUser/PromptInjection.Direct', severity: 2, accountId: '111122223333', region: 'us-east-1',
      subject: { kind: prompt!.kind, id: prompt!.id, ai: prompt!.ai.isAi, aiReasons: prompt!.ai.reasons.map((r) => r.detail) },
      mode: 'approve', decidedBy: 'defaults', done: [], waiting: [], failed: [], notes: [], releaseHint: 'tourniquet release inc-1',
    });
    expect(text).toContain('GUARDRAIL_INTERVENED on INPUT; PROMPT_ATTACK HIGH BLOCKED');
  });

  it('bounds the reasons it prints', () => {
    const many = { ai: { isAi: true, reasons: Array.from({ length: 14 }, (_, i) => ({ code: 'ai-tag' as const, detail: `tag ${i}` })) } };
    const lines = formatAiContext(many);
    expect(lines).toHaveLength(11);
    expect(lines[10]).toContain('… and 4 more');
  });
});

describe('the activity lookup in show', () => {
  const output = {
    lookup: 'AccessKeyId=AKIAIOSFODNN7EXAMPLE',
    window: { start: '2026-07-31T10:00:00.000Z', end: '2026-08-01T12:00:00.000Z' },
    regions: [{ region: 'us-east-1', pages: 1, events: 17, truncated: false, otherIdentity: 0, unreadable: 0 }, { region: 'eu-west-1', pages: 20, events: 1000, truncated: true, otherIdentity: 0, unreadable: 0 }],
    notSearched: [{ region: 'ap-south-1', reason: 'no clients for this Region' }],
    events: 1017,
    bearerTokenCalls: 3,
    calls: {},
    resources: [
      { family: 'bedrock-provisioned-throughput', region: 'us-east-1', id: 'arn:aws:bedrock:us-east-1:111122223333:provisioned-model/a1b2c3d4e5f6', eventName: 'CreateProvisionedModelThroughput', eventTime: '2026-08-01T09:03:00Z', eventId: 'e1' },
      { family: 'sagemaker-training-job', region: 'us-east-1', id: 'evil\u001b[2Jjob', eventName: 'CreateTrainingJob', eventTime: '2026-08-01T09:12:00Z', eventId: 'e2' },
    ],
    evidence: 'steps/lookup-ai-activity/cloudtrail-events.json',
  };

  it('says what was read, what was not, and lists what the principal created', () => {
    const lines = formatAiActivity([step(output)]);
    expect(lines).toEqual([
      '  AI activity (lookup-ai-activity): 1017 call(s) by AccessKeyId=AKIAIOSFODNN7EXAMPLE from 2026-07-31T10:00:00.000Z to 2026-08-01T12:00:00.000Z',
      '    read:    us-east-1 (17), eu-west-1 (1000, more left unread)',
      '    NOT read: ap-south-1: no clients for this Region',
      '    3 call(s) made with a Bedrock API key (bearer token)',
      '    created or started: 2',
      '      bedrock-provisioned-throughput  us-east-1      arn:aws:bedrock:us-east-1:111122223333:provisioned-model/a1b2c3d4e5f6  (CreateProvisionedModelThroughput 2026-08-01T09:03:00Z)',
      '      sagemaker-training-job          us-east-1      evil\u001b[2Jjob  (CreateTrainingJob 2026-08-01T09:12:00Z)',
    ]);
    // printLine makes it terminal-safe.
    expect(terminalSafe(lines[6]!)).toContain('evil\\x1b[2Jjob');
  });

  it('bounds the list and ignores other steps and unfinished lookups', () => {
    const resources = Array.from({ length: 45 }, (_, i) => ({ ...output.resources[0]!, id: `r${i}` }));
    const lines = formatAiActivity([step({ ...output, resources, resourcesLeftOut: 5 }), { ...step(null), stepId: 'other', action: 'iam.deny' }]);
    expect(lines.filter((l) => l.startsWith('      bedrock'))).toHaveLength(30);
    expect(lines.at(-1)).toBe("      … and 20 more (--json, and the case's steps/lookup-ai-activity/cloudtrail-events.json)");
    expect(formatAiActivity([{ ...step(null), status: 'awaiting-approval' }])).toEqual([]);
  });
});
