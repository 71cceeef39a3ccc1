#!/usr/bin/env node
import { Command } from 'commander';
import { isAutocmError } from '../util/errors.js';
import { version } from '../version.js';
// Each command lives in its own file and registers itself on the program.
import { registerInfo } from './info.js';

const program = new Command();
program
  .name('autocm')
  .description('Label-free cloud masks and cloud-free composites from satellite image time series (Auto-CM)')
  .version(version)
  .showHelpAfterError();

registerInfo(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (isAutocmError(error)) {
    process.stderr.write(`autocm: error: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`autocm: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(2);
});
