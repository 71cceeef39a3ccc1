import type { Command } from 'commander';
import { compareScenes } from '../evaluate/compare/compare.js';
import { expandFolders } from '../evaluate/expand-folders.js';
import { defaultModelPath, hasDefaultModel } from '../model/default-model.js';
import { AutocmError } from '../util/errors.js';
import { progressBar } from '../util/progress.js';
import { printResult } from './output.js';

interface CompareCliOptions {
  output: string;
  defaultMask: string[];
  ref?: string[];
  model?: string;
  sensor?: string;
  maxSide: string;
  json?: boolean;
  quiet?: boolean;
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description(
      "the seed paper's comparison figure per scene: image | Auto-CM | DEC | the product's default mask (UDM2, QA_PIXEL, SCL, Fmask, ... detected as evaluate does) " +
        'side by side as <id>_compare.png and index.html, with a cloud score table when --ref is given',
    )
    .argument('<scenes...>', 'images (or folders of images)')
    .requiredOption('--default-mask <paths...>', "the products' default masks (files or folders); each scene's is matched by file stem or date")
    .option('--ref <paths...>', 'reference masks (files or folders) for the score table')
    .option('--model <file>', 'Auto-CM model (default: models/autocm-default.safetensors)')
    .option('--sensor <id>', 'sensor profile of the scenes; detected when omitted')
    .option('--max-side <px>', 'largest side of the pictures', '512')
    .requiredOption('-o, --output <dir>', 'output folder')
    .option('--json', 'machine-readable output')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (scenes: string[], o: CompareCliOptions) => {
      const maxSide = Number(o.maxSide);
      if (!Number.isInteger(maxSide) || maxSide < 16) throw new AutocmError(`--max-side must be a whole number >= 16, got "${o.maxSide}"`);
      const model = o.model ?? (hasDefaultModel() ? defaultModelPath : undefined);
      if (!model) throw new AutocmError('no --model given and the default model is not installed');
      const defaultMasks = await expandFolders(o.defaultMask);
      const refs = o.ref ? await expandFolders(o.ref) : undefined;
      const bar = progressBar('compare', scenes.length, { quiet: o.quiet });
      const result = await compareScenes(scenes, { model, defaultMasks, refs, outDir: o.output, sensor: o.sensor, maxSide, onScene: (done) => bar.update(done) });
      bar.stop();
      printResult(o.json ?? false, result, () =>
        [
          ...result.scenes.map((s) =>
            [`${s.scene}: ${s.figure}`, ...s.methods.map((m) => `  ${m.label.padEnd(26)}${m.note ? `n/a: ${m.note}` : m.f1 === undefined ? '' : `P ${m.precision?.toFixed(3) ?? 'n/a'}  R ${m.recall?.toFixed(3) ?? 'n/a'}  F1 ${m.f1?.toFixed(3) ?? 'n/a'}`}`)].join('\n'),
          ),
          `HTML: ${result.html}`,
        ].join('\n'),
      );
    });
}
