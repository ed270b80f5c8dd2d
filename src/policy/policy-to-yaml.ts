/**
 * Renders a normalized policy back to `tourniquet.yaml` form with every default written out — what
 * `tourniquet policy show` prints. The output parses back to the same policy.
 */
import { Document } from 'yaml';
import type { Policy, PolicyRule, TagCriterion } from './policy.js';

function tagMap(tags: readonly TagCriterion[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags) out[t.key] = t.value;
  return out;
}

function ruleToFile(r: PolicyRule): Record<string, unknown> {
  const m = r.match;
  const match: Record<string, unknown> = {};
  if (m.type) match.type = [...m.type];
  if (m.severity) match.severity = { ...m.severity, ...(m.severity.band ? { band: [...m.severity.band] } : {}) };
  if (m.subject) match.subject = [...m.subject];
  if (m.ai !== 'any') match.ai = m.ai;
  if (m.tags.length > 0) match.tags = tagMap(m.tags);
  if (m.notTags.length > 0) match.notTags = tagMap(m.notTags);
  if (m.accounts) match.accounts = [...m.accounts];
  if (m.regions) match.regions = [...m.regions];
  if (m.resourceRole) match.resourceRole = [...m.resourceRole];
  return {
    name: r.name,
    ...(r.description !== undefined ? { description: r.description } : {}),
    match,
    ...(r.playbook !== undefined ? { playbook: r.playbook } : {}),
    mode: r.mode,
    ...(Object.keys(r.steps).length > 0 ? { steps: { ...r.steps } } : {}),
    ...(r.options !== undefined ? { options: { ...r.options.values } } : {}),
  };
}

export function policyToYaml(policy: Policy): string {
  const g = policy.guardrails;
  const doc = new Document({
    version: policy.version,
    defaults: { mode: policy.defaults.mode },
    guardrails: {
      exemptTag: { ...g.exemptTag },
      protectedPrincipals: [...g.protectedPrincipals],
      protectedAccounts: [...g.protectedAccounts],
      budget: { ...g.budget },
      breaker: { ...g.breaker },
      ignoreSamples: g.ignoreSamples,
      actOnArchived: g.actOnArchived,
    },
    rules: policy.rules.map(ruleToFile),
  });
  doc.commentBefore =
    ` Effective Tourniquet policy from ${policy.source}, every default written out.\n` +
    ' Rules are evaluated in order; the first match wins. No match: defaults.mode.';
  return doc.toString({ lineWidth: 0 });
}
