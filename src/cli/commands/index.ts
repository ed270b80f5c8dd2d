import type { Command } from 'commander';
import { registerApproveCommands } from './approve.js';
import { registerDemoCommand } from './demo.js';
import { registerDrillCommand } from './drill.js';
import { registerIncidentsCommand } from './incidents.js';
import { registerInspectCommand } from './inspect.js';
import { registerPlanCommand } from './plan.js';
import { registerPolicyCommand } from './policy.js';
import { registerReleaseCommand } from './release.js';
import { registerRespondCommand } from './respond.js';
import { registerReportCommand } from './report.js';
import { registerResumeCommand } from './resume.js';
import { registerShowCommand } from './show.js';
import { registerTriageCommand } from './triage.js';
import { registerTypesCommand } from './types.js';

/** Sets the process exit code (the highest one reported wins). */
export type ReportExit = (code: number) => void;

/** Every command registers itself here; one line per command file. */
export function registerCommands(program: Command, exit: ReportExit): void {
  registerPlanCommand(program, exit);
  registerRespondCommand(program, exit);
  registerIncidentsCommand(program, exit);
  registerShowCommand(program, exit);
  registerReportCommand(program, exit);
  registerApproveCommands(program, exit);
  registerResumeCommand(program, exit);
  registerReleaseCommand(program, exit);
  registerDemoCommand(program, exit);
  registerDrillCommand(program, exit);
  registerPolicyCommand(program, exit);
  registerInspectCommand(program, exit);
  registerTriageCommand(program, exit);
  registerTypesCommand(program, exit);
}
