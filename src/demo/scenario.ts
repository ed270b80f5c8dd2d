/**
 * A demo scenario: one file under src/demo/scenarios/ plus one line in src/demo/scenario-list.ts. The runner
 * (run-scenario.ts) starts moto_server, points the AWS SDK at it and opens an in-memory responder; the scenario seeds
 * what it needs, responds, and prints every check it reads back from the emulator.
 */
import type { MemoryNotifier } from '../notify/notification.js';
import type { Runtime } from '../cli/runtime.js';

export interface DemoCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Static credentials and the emulator endpoint, for the clients a scenario seeds and reads back with. */
export interface EmulatorClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface ScenarioContext {
  /** Prints one line of the demo's story. */
  readonly log: (line: string) => void;
  /** Records and prints one check (PASS/FAIL); the demo exits 0 only if every check held. */
  readonly check: (name: string, ok: boolean, detail: string) => void;
  readonly accountId: string;
  readonly region: string;
  readonly clientConfig: EmulatorClientConfig;
  /** The responder, journal (in memory) and evidence folder, with the scenario's policy. */
  readonly runtime: Runtime;
  readonly notifier: MemoryNotifier;
  readonly evidenceDir: string;
}

export interface DemoScenario {
  /** What `--scenario` takes: lowercase words joined by `-`. */
  readonly name: string;
  /** One line for `--scenario list`. */
  readonly summary: string;
  /** The policy file the responder runs with (default: examples/tourniquet.yaml). */
  readonly policyFile?: string;
  /** Or the policy as YAML text (written to a temporary file), e.g. to skip a step the emulator lacks the API for. */
  readonly policyYaml?: string;
  /** Extra environment of the moto_server process, e.g. `MOTO_IAM_LOAD_MANAGED_POLICIES`. */
  readonly emulatorEnv?: Readonly<Record<string, string>>;
  /** Steps 2… of the story (step 1, starting the emulator, is the runner's). */
  run(ctx: ScenarioContext): Promise<void>;
}
