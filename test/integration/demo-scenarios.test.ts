/**
 * Every demo scenario end to end, as `tourniquet demo --scenario <name>` runs it (each starts its own moto_server):
 * every check it reads back from the emulator holds. The default scenario keeps its 24 checks.
 */
import { describe, expect, it } from 'vitest';
import { runDemoScenario } from '../../src/demo/run-scenario.js';
import { SCENARIOS } from '../../src/demo/scenario-list.js';

const EXPECTED_CHECKS: Readonly<Record<string, number>> = { 'gpu-crypto-mining': 24, 'stolen-bedrock-key': 13 };

describe('demo scenarios', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: every check holds`, async () => {
      const lines: string[] = [];
      const { checks, ok } = await runDemoScenario(scenario, { log: (l) => lines.push(l) });
      expect(checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
      expect(ok).toBe(true);
      if (EXPECTED_CHECKS[scenario.name] !== undefined) expect(checks).toHaveLength(EXPECTED_CHECKS[scenario.name]!);
      expect(lines.at(-1)).toBe(`\nAll ${checks.length} checks held.`);
      // Each check is printed as it is read back.
      expect(lines.filter((l) => l.startsWith('  PASS  '))).toHaveLength(checks.length);
    }, 120_000);
  }
});
