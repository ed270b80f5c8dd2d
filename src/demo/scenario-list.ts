/**
 * Every demo scenario, the one list: `tourniquet demo --scenario <name>` (`npm start -- --scenario <name>`) runs one
 * by name; the first is the default. Adding a scenario = its file in src/demo/scenarios/ plus one line here.
 */
import type { DemoScenario } from './scenario.js';
import { gpuCryptoMiningScenario } from './scenarios/gpu-crypto-mining.js';
import { modelBucketPickleScenario } from './scenarios/model-bucket-pickle.js';
import { stolenBedrockKeyScenario } from './scenarios/stolen-bedrock-key.js';

export const SCENARIOS: readonly DemoScenario[] = [
  gpuCryptoMiningScenario,
  stolenBedrockKeyScenario,
  modelBucketPickleScenario,
];

export const DEFAULT_SCENARIO: DemoScenario = SCENARIOS[0]!;

export function findScenario(name: string): DemoScenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
