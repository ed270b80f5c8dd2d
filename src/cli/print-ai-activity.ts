/**
 * `tourniquet show` for AI incidents: why the subject is an AI workload (the finding's models and guardrail, AI
 * Protection type …) and what the principal's CloudTrail history showed it create or start in Bedrock and
 * SageMaker (the output of the `cloudtrail.lookup-principal-activity` step). Bounded; every value passes through
 * printLine, which makes it terminal-safe.
 */
import type { Json, Subject } from '../findings/model.js';
import type { StepRecord } from '../journal/journal.js';

const MAX_REASONS = 10;
const MAX_RESOURCES = 30;
const LOOKUP_ACTION = 'cloudtrail.lookup-principal-activity';

/** `  ai:        model …` then one line per further reason. */
export function formatAiContext(subject: Pick<Subject, 'ai'> | undefined): string[] {
  const reasons = subject?.ai?.reasons ?? [];
  if (reasons.length === 0) return [];
  const lines = reasons.slice(0, MAX_REASONS).map((r, i) => `  ${i === 0 ? 'ai:       ' : '          '} ${r.detail}`);
  if (reasons.length > MAX_REASONS) lines.push(`            … and ${reasons.length - MAX_REASONS} more (--json)`);
  return lines;
}

const text = (v: Json | undefined): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const obj = (v: Json | undefined): { [k: string]: Json } | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined);
const list = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);

/** What each activity lookup found: calls, Regions read (and not), and the resources the principal created or started. */
export function formatAiActivity(steps: readonly StepRecord[]): string[] {
  const lines: string[] = [];
  for (const step of steps) {
    const out = obj(step.output);
    if (step.action !== LOOKUP_ACTION || out === undefined) continue;
    const regions = list(out['regions']).map(obj).filter((r) => r !== undefined);
    const resources = list(out['resources']).map(obj).filter((r) => r !== undefined);
    const window = obj(out['window']);
    lines.push(`  AI activity (${step.stepId}): ${text(out['events'])} call(s) by ${text(out['lookup'])} from ${text(window?.['start'])} to ${text(window?.['end'])}`);
    lines.push(`    read:    ${regions.map((r) => `${text(r['region'])} (${text(r['events'])}${r['truncated'] === true ? ', more left unread' : ''})`).join(', ') || '-'}`);
    const missed = list(out['notSearched']).map(obj).filter((r) => r !== undefined);
    if (missed.length > 0) lines.push(`    NOT read: ${missed.map((r) => `${text(r['region'])}: ${text(r['reason'])}`).join('; ')}`);
    const bearer = out['bearerTokenCalls'];
    if (typeof bearer === 'number' && bearer > 0) lines.push(`    ${bearer} call(s) made with a Bedrock API key (bearer token)`);
    const more = typeof out['resourcesLeftOut'] === 'number' ? out['resourcesLeftOut'] : 0;
    lines.push(`    created or started: ${resources.length + more === 0 ? 'nothing in Bedrock or SageMaker' : `${resources.length + more}`}`);
    for (const r of resources.slice(0, MAX_RESOURCES)) {
      lines.push(`      ${text(r['family']).padEnd(31)} ${text(r['region']).padEnd(14)} ${text(r['id'])}  (${text(r['eventName'])} ${text(r['eventTime'])})`);
    }
    const hidden = resources.length - Math.min(resources.length, MAX_RESOURCES) + more;
    if (hidden > 0) lines.push(`      … and ${hidden} more (--json, and the case's ${text(out['evidence'])})`);
  }
  return lines;
}
