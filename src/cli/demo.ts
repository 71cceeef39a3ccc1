import type { Command } from 'commander';
import { runDemo, type DemoOptions } from '../demo/pipeline.js';
import { formatDemoSummary } from '../demo/summary.js';
import { numberOption } from './number-option.js';
import { printResult } from './output.js';

type DemoCliOptions = Omit<DemoOptions, 'log'> & { json?: boolean };

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the whole system on a synthetic time series with exact truth: synth -> train -> predict -> composite -> baselines -> evaluate, with a summary table and an HTML report')
    .argument('[dir]', 'output folder (created; must be empty unless --force)', './autocm-demo')
    .option('--force', 'write into a non-empty folder')
    .option('--quick', 'a tiny smoke run (64 px, 9 dates, 3 training steps): checks the pipeline, not the model')
    .option('--steps <n>', 'training steps (default 300; 3 with --quick)', numberOption('integer', 1))
    .option('--seed <n>', 'seed of the synthetic stack and the training', numberOption('integer', 1))
    .option('--threads <n>', 'ONNX Runtime threads (default: all cores)', numberOption('integer', 1))
    .option('--quiet', 'no progress bars (stage headers still go to stderr)')
    .option('--json', 'machine-readable summary on stdout')
    .action(async (dir: string, options: DemoCliOptions) => {
      const { json, ...demoOptions } = options;
      const summary = await runDemo(dir, { ...demoOptions, quiet: demoOptions.quiet || json });
      printResult(options.json ?? false, summary, () => `\n${formatDemoSummary(summary)}`);
    });
}
