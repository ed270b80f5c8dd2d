import type { Command } from 'commander';

/** Sets the process exit code (the highest one reported wins). */
export type ReportExit = (code: number) => void;

/** Every command registers itself here; one line per command file. */
export function registerCommands(program: Command, exit: ReportExit): void {
  void program;
  void exit;
}
