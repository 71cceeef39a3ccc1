import type { Command } from 'commander';

export interface CommandEntry {
  /** The first word after `autocm`. */
  name: string;
  /** Imports the command's file and returns its register function. */
  load: () => Promise<(program: Command) => void>;
}

/**
 * Every command, in the order `autocm --help` lists them. Each lives in its own file and
 * registers itself on the program; loading only the one a run names halves the CLI's start-up
 * (the queue commands alone pull in bullmq and ioredis).
 */
export const COMMANDS: CommandEntry[] = [
  { name: 'info', load: async () => (await import('./info.js')).registerInfo },
  { name: 'predict', load: async () => (await import('./predict.js')).registerPredict },
  { name: 'import-keras', load: async () => (await import('./import-keras.js')).registerImportKeras },
  { name: 'model', load: async () => (await import('./model-info.js')).registerModelInfo },
  { name: 'train', load: async () => (await import('./train.js')).registerTrain },
  { name: 'adapt', load: async () => (await import('./adapt.js')).registerAdapt },
  { name: 'composite', load: async () => (await import('./composite.js')).registerComposite },
  { name: 'evaluate', load: async () => (await import('./evaluate.js')).registerEvaluate },
  { name: 'compare', load: async () => (await import('./compare.js')).registerCompare },
  { name: 'baseline', load: async () => (await import('./baseline.js')).registerBaseline },
  { name: 'synth', load: async () => (await import('./synth.js')).registerSynth },
  { name: 'demo', load: async () => (await import('./demo.js')).registerDemo },
  { name: 'view', load: async () => (await import('./view.js')).registerView },
  { name: 'submit', load: async () => (await import('./submit.js')).registerSubmit },
  { name: 'submit-composite', load: async () => (await import('./submit-composite.js')).registerSubmitComposite },
  { name: 'worker', load: async () => (await import('./worker.js')).registerWorker },
  { name: 'status', load: async () => (await import('./status.js')).registerStatus },
];

/**
 * Registers the command named by `firstArgument` alone, or every command when it names none
 * (help, --version, a typo that commander answers with suggestions).
 */
export async function registerCommands(program: Command, firstArgument: string | undefined): Promise<void> {
  const named = COMMANDS.find((command) => command.name === firstArgument);
  for (const command of named ? [named] : COMMANDS) (await command.load())(program);
}
