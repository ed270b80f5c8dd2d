import type { Command } from 'commander';
import { closestName } from '../../did-you-mean.js';
import { EnvironmentError } from '../../errors.js';
import { runDemoScenario } from '../../demo/run-scenario.js';
import { DEFAULT_SCENARIO, findScenario, SCENARIOS } from '../../demo/scenario-list.js';
import { EXIT_BAD_INPUT } from '../exit-codes.js';
import type { ReportExit } from './index.js';

/** `tourniquet demo` (= `npm start`): one scenario against moto_server, with the state read back. */
export function registerDemoCommand(program: Command, exit: ReportExit): void {
  program
    .command('demo')
    .description('sandbox demo: contain a crypto-mining GPU instance in an emulated AWS (moto_server), prove it, release it')
    .option('--scenario <name>', `the scenario to run (default ${DEFAULT_SCENARIO.name}; "list" lists them)`)
    .option('--evidence-dir <dir>', 'where the case evidence goes (default: a temporary folder)')
    .action(async (flags: { scenario?: string; evidenceDir?: string }) => {
      const name = flags.scenario ?? DEFAULT_SCENARIO.name;
      if (name === 'list') {
        process.stdout.write(scenarioList());
        exit(0);
        return;
      }
      const scenario = findScenario(name);
      if (scenario === undefined) {
        const hint = closestName(name, SCENARIOS.map((s) => s.name));
        process.stderr.write(`tourniquet demo: unknown scenario ${JSON.stringify(name)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}\n${scenarioList()}`);
        exit(EXIT_BAD_INPUT);
        return;
      }
      try {
        const { ok } = await runDemoScenario(scenario, { evidenceDir: flags.evidenceDir });
        exit(ok ? 0 : 1);
      } catch (err) {
        if (err instanceof EnvironmentError) {
          process.stderr.write(`tourniquet demo: ${err.message}\n`);
          exit(1);
          return;
        }
        throw err;
      }
    });
}

function scenarioList(): string {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  return `scenarios (tourniquet demo --scenario <name>, npm start -- --scenario <name>):\n${SCENARIOS.map(
    (s) => `  ${s.name.padEnd(width)}  ${s.summary}${s === DEFAULT_SCENARIO ? ' (default)' : ''}\n`,
  ).join('')}`;
}
