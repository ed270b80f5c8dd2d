/**
 * The guardrail line people read (`tourniquet show`, notifications): what the finding's bedrockGuardrailDetails say,
 * bounded, with only API-enum-shaped values for the action, source and filters (finding text is attacker-shaped).
 */
import { describe, expect, it } from 'vitest';
import { guardrailDetail } from '../../../src/findings/ai-context.js';
import { parseRecord } from '../../../src/findings/read-input.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

describe('guardrailDetail', () => {
  it('names every guardrail with its version, the intervention and its source, and each filter', () => {
    expect(
      guardrailDetail({
        guardrails: [{ arn: 'arn:aws:bedrock:us-east-1:111122223333:guardrail/abc123def456', version: '1' }, { arn: 'arn:aws:bedrock:us-east-1:111122223333:guardrail/g2', version: 'DRAFT' }],
        action: 'GUARDRAIL_INTERVENED',
        source: 'INPUT',
        filters: [{ type: 'PROMPT_ATTACK', confidence: 'HIGH', action: 'BLOCKED' }, { type: 'JAILBREAK', confidence: 'MEDIUM', action: 'NONE' }],
      }),
    ).toBe('Bedrock guardrail arn:aws:bedrock:us-east-1:111122223333:guardrail/abc123def456 v1, arn:aws:bedrock:us-east-1:111122223333:guardrail/g2 vDRAFT: GUARDRAIL_INTERVENED on INPUT; PROMPT_ATTACK HIGH BLOCKED, JAILBREAK MEDIUM NONE');
  });

  it('stays small and leaves out values that are not API enums', () => {
    const line = guardrailDetail({
      guardrails: Array.from({ length: 9 }, (_, i) => ({ arn: `arn:aws:bedrock:us-east-1:1:guardrail/${'x'.repeat(400)}${i}`, version: '1\u001b[2J' })),
      action: 'intervened; rm -rf /',
      source: 'INPUT',
      filters: Array.from({ length: 20 }, () => ({ type: 'HATE', confidence: '\u202eHIGH', action: 'BLOCKED' })),
    });
    expect(line.length).toBeLessThan(1600);
    expect(line).toContain('(+4)');
    expect(line).not.toContain('rm -rf');
    expect(line.includes('\u001b') || line.includes('\u202e')).toBe(false);
    expect(line.match(/HATE BLOCKED/g)).toHaveLength(7);
  });

  it('the synthesized PromptInjection.Direct finding carries it on every subject', () => {
    const path = fileURLToPath(new URL('../../../samples/synthesized/Impact-IAMUser-PromptInjection.Direct.SYNTHESIZED.json', import.meta.url));
    const f = parseRecord(JSON.parse(readFileSync(path, 'utf8')), { name: path });
    if (f.kind !== 'finding') throw new Error('not a finding');
    for (const s of f.subjects) {
      expect(s.ai.reasons.find((r) => r.code === 'guardrail')?.detail).toBe('Bedrock guardrail arn:aws:bedrock:us-east-1:111122223333:guardrail/abc123def456 v1: GUARDRAIL_INTERVENED on INPUT; PROMPT_ATTACK HIGH BLOCKED');
    }
  });
});
