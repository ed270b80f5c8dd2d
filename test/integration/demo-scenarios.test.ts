/**
 * Every demo scenario end to end, as `tourniquet demo --scenario <name>` runs it (each starts its own moto_server):
 * every check it reads back from the emulator holds. The default scenario keeps its 26 checks (24 of its
 * own, then the triage and the report every demo ends with, written to a temporary folder here).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_EXPORT_FILE } from '../../src/demo/demo-wrap-up.js';
import { runDemoScenario } from '../../src/demo/run-scenario.js';
import { SCENARIOS } from '../../src/demo/scenario-list.js';

const EXPECTED_CHECKS: Readonly<Record<string, number>> = { 'gpu-crypto-mining': 26, 'stolen-bedrock-key': 15 };

describe('demo scenarios', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: every check holds`, async () => {
      const lines: string[] = [];
      const outputDir = mkdtempSync(join(tmpdir(), `tourniquet-demo-out-${scenario.name}-`));
      const { checks, ok } = await runDemoScenario(scenario, { log: (l) => lines.push(l), outputDir });
      expect(checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`)).toEqual([]);
      expect(ok).toBe(true);
      if (EXPECTED_CHECKS[scenario.name] !== undefined) expect(checks).toHaveLength(EXPECTED_CHECKS[scenario.name]!);
      expect(lines.at(-1)).toBe(`\nAll ${checks.length} checks held.`);
      // Each check is printed as it is read back.
      expect(lines.filter((l) => l.startsWith('  PASS  '))).toHaveLength(checks.length);
      // It ends with the triage of what it responded to and the report of its main incident, kept and printed.
      expect(checks.slice(-2).map((c) => c.name.replace(/\d+/, 'N'))).toEqual(['triage ranked N incident(s)', 'report written']);
      expect(existsSync(join(outputDir, DEMO_EXPORT_FILE))).toBe(true);
      const report = join(outputDir, 'report.html');
      expect(lines).toContain(`   report: ${report}`);
      expect(readFileSync(report, 'utf8')).toMatch(/^<!doctype html>/i);
      rmSync(outputDir, { recursive: true, force: true });
    }, 120_000);
  }
});
