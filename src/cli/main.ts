#!/usr/bin/env node
import { Command } from 'commander';
import { isAutocmError } from '../util/errors.js';
import { cleanUpTemporariesOnExit } from '../util/temporary-cleanup.js';
import { version } from '../version.js';
// Each command lives in its own file and registers itself on the program.
import { registerInfo } from './info.js';
import { registerPredict } from './predict.js';
import { registerImportKeras } from './import-keras.js';
import { registerModelInfo } from './model-info.js';
import { registerTrain } from './train.js';
import { registerComposite } from './composite.js';
import { registerEvaluate } from './evaluate.js';
import { registerCompare } from './compare.js';
import { registerBaseline } from './baseline.js';
import { registerSynth } from './synth.js';
import { registerDemo } from './demo.js';
import { registerView } from './view.js';
import { registerSubmit } from './submit.js';
import { registerSubmitComposite } from './submit-composite.js';
import { registerWorker } from './worker.js';
import { registerStatus } from './status.js';
import { registerAdapt } from './adapt.js';

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

registerInfo(program);
registerPredict(program);
registerImportKeras(program);
registerModelInfo(program);
registerTrain(program);
registerAdapt(program);
registerComposite(program);
registerEvaluate(program);
registerCompare(program);
registerBaseline(program);
registerSynth(program);
registerDemo(program);
registerView(program);
registerSubmit(program);
registerSubmitComposite(program);
registerWorker(program);
registerStatus(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (isAutocmError(error)) {
    process.stderr.write(`autocm: error: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`autocm: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(2);
});
