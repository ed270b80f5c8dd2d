#!/usr/bin/env node
// Launcher: runs the TypeScript CLI through tsx so `npx tourniquet` works right after `npm ci`, with no build step.
import { writeSync } from 'node:fs';
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
// A reader that closes the pipe early (`tourniquet types | head`) ends the output, not the process with a stack trace.
// Output that cannot be written (`> /dev/full`, a full disk) is one line on stderr and exit 1 (it was a stack trace).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    if (stream === process.stdout) {
      try {
        writeSync(2, `tourniquet: cannot write to standard output (${err.code ?? 'error'}: ${String(err.message).replace(/^\w+: /, '').split(',')[0]})\n`);
      } catch {
        // stderr is gone too: the exit code is all that is left.
      }
    }
    process.exit(1);
  });
}
// Ctrl-C or a `kill` mid-run ends the process at once, as before (the journal is written as a crash would leave it:
// steps left running are taken over at once by the next command, their pre-images kept), but says so in one line,
// and for the commands that run a plan, how to finish it. Exit 128 + the signal's number, as a shell reports it.
const PLAN_COMMANDS = new Set(['respond', 'resume', 'approve', 'deny', 'release', 'demo']);
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.once(signal, () => {
    const command = process.argv[2];
    const next = PLAN_COMMANDS.has(command)
      ? `; a plan left unfinished is taken over by \`tourniquet resume <incident>\` or by running the same command again (\`tourniquet incidents\` lists them)`
      : '';
    process.stderr.write(`\ntourniquet: interrupted (${signal})${next}\n`);
    process.exit(code);
  });
}
// An error thrown where no command catches it (the embedded journal's store failing inside its own callback on a full
// disk: `Database is closed`) is one line and exit 1, as every other error; it was Node's stack trace.
// TOURNIQUET_DEBUG=1 adds the stack, as for any unexpected error.
const uncaught = (err) => {
  const e = err instanceof Error ? err : new Error(String(err));
  // The journal's store runs in a worker thread: its error arrives as the cause of the one rethrown here.
  const stacks = `${e.stack ?? ''}\n${e.cause instanceof Error ? (e.cause.stack ?? '') : ''}`;
  const where = /[\\/]node_modules[\\/](dynalite|leveldown|levelup)[\\/]/.test(stacks)
    ? ' in the embedded journal (is the disk of --journal-path full, or the folder not writable?)'
    : '';
  try {
    writeSync(2, `tourniquet: unexpected error${where}: ${`${e.name}: ${e.message}`.replace(/\p{Cc}/gu, ' ')}\n`);
    if (process.env.TOURNIQUET_DEBUG === '1' && e.stack !== undefined) writeSync(2, `${e.stack}\n`);
  } catch {
    // stderr is gone: the exit code is all that is left.
  }
  process.exit(1);
};
process.on('uncaughtException', uncaught);
process.on('unhandledRejection', uncaught);
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
