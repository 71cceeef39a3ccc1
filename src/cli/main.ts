#!/usr/bin/env node
import { Command } from 'commander';
import { isAutocmError } from '../util/errors.js';
import { cleanUpTemporariesOnExit } from '../util/temporary-cleanup.js';
import { version } from '../version.js';
import { registerCommands } from './commands.js';

const program = new Command();
program
  .name('autocm')
  .description('Label-free cloud masks and cloud-free composites from satellite image time series (Auto-CM)')
  .version(version)
  .showHelpAfterError();

// The queue worker handles its signals itself (it finishes active jobs first).
program.hook('preAction', (_program, command) => {
  if (command.name() !== 'worker') cleanUpTemporariesOnExit();
});

await registerCommands(program, process.argv[2]);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (isAutocmError(error)) {
    process.stderr.write(`autocm: error: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`autocm: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(2);
});
