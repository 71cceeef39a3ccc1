import { basename, join } from 'node:path';
import { runBaseline } from '../../baselines/registry.js';
import { openMaskFile } from '../../masks/mask-reader.js';
import { predictImages } from '../../predict/predict-images.js';
import { resolveInputs } from '../../raster/inputs.js';
import { reflectanceImagesOf } from '../../raster/reflectance-stack.js';
import { writeFileAtomically } from '../../util/atomic.js';
import { AutocmError, isAutocmError } from '../../util/errors.js';
import { makeDirectories } from '../../util/directories.js';
import { evaluateAll } from '../evaluate-all.js';
import { maskPanel, panelsPng, scenePanel } from './compare-figure.js';
import { compareHtml } from './compare-html.js';
import { findDefaultMask } from './find-default-mask.js';

export interface CompareOptions {
  model: string;
  /** Product masks (UDM2, QA_PIXEL, SCL, Fmask, ...): each scene's is found by stem or date. */
  defaultMasks: string[];
  /** Reference masks for the score table (optional). */
  refs?: string[];
  outDir: string;
  sensor?: string;
  /** Largest side of the pictures (default 512). */
  maxSide?: number;
  onScene?: (done: number, total: number) => void;
}

export interface ComparedMethod {
  label: string;
  /** Null when the method cannot run on this scene (`note` says why). */
  mask: string | null;
  note?: string;
  precision?: number | null;
  recall?: number | null;
  f1?: number | null;
}

export interface ComparedScene {
  scene: string;
  id: string;
  figure: string;
  defaultFormat: string;
  reference: string | null;
  methods: ComparedMethod[];
}

/**
 * The seed paper's comparison figure per scene: image | Auto-CM | DEC | the product's default
 * mask, side by side (PNG per scene and one HTML page), with cloud precision / recall / F1 of each
 * against a reference when one is given. Every scene's default mask (and reference) is found
 * before anything is computed, so a missing one fails before any output.
 */
export async function compareScenes(scenes: string[], options: CompareOptions): Promise<{ html: string; scenes: ComparedScene[] }> {
  const images = await resolveInputs(scenes, { sensor: options.sensor });
  const plans = images.map((image) => {
    const scene = image.files[0]!;
    return { image, scene, defaultMask: findDefaultMask(scene, options.defaultMasks), reference: options.refs ? findDefaultMask(scene, options.refs, 'reference mask') : null };
  });
  const formats: string[] = [];
  for (const plan of plans) {
    for (const path of [plan.defaultMask, ...(plan.reference ? [plan.reference] : [])]) {
      const mask = await openMaskFile(path);
      await mask.close();
      if (path === plan.defaultMask) formats.push(mask.format);
      const { width, height } = plan.image.info;
      if (mask.info.width !== width || mask.info.height !== height) {
        throw new AutocmError(`the mask is ${mask.info.width} x ${mask.info.height} px, the scene ${width} x ${height}: not on the scene's grid`, path);
      }
    }
  }
  await makeDirectories(options.outDir, 'output folder');
  const results: ComparedScene[] = [];
  for (const [index, plan] of plans.entries()) {
    const { image, scene } = plan;
    // Auto-CM needs the model's bands: a scene without them gets an empty panel and says why.
    let autocm: ComparedMethod;
    try {
      const predicted = await predictImages([scene], { model: options.model, outputDirectory: join(options.outDir, 'autocm'), sensor: options.sensor, quiet: true, readInWorker: false, overwrite: true });
      autocm = { label: 'Auto-CM', mask: predicted.images[0]!.outputs.mask };
    } catch (error) {
      if (!isAutocmError(error) || !/the model needs/.test(error.message)) throw error;
      autocm = { label: 'Auto-CM', mask: null, note: error.message.replace(/^.*?: the model/, 'the model').replace(/ \(pass --sensor.*$/, '') };
    }
    const dec = await runBaseline('dec', reflectanceImagesOf([image]), {}, { outDir: join(options.outDir, 'dec') });
    const { width, height } = image.info;
    const step = Math.max(1, Math.ceil(Math.max(width, height) / (options.maxSide ?? 512)));
    const methods: ComparedMethod[] = [
      autocm,
      { label: 'DEC', mask: dec[0]!.outputs.mask },
      { label: `default mask (${formats[index]})`, mask: plan.defaultMask },
    ];
    const quick = await scenePanel(scene, step, image.bandNames);
    const panels = [quick.rgba];
    for (const m of methods) panels.push(m.mask ? await maskPanel(m.mask, width, height, step) : new Uint8Array(quick.width * quick.height * 4).fill(200));
    const figure = join(options.outDir, `${image.id}_compare.png`);
    await writeFileAtomically(figure, panelsPng(panels, quick.width, quick.height));
    if (plan.reference) {
      for (const m of methods) {
        if (!m.mask) continue;
        const strict = (await evaluateAll([m.mask], [plan.reference], { pairBy: 'order' })).pooled.cloud.strict;
        Object.assign(m, { precision: strict.precision, recall: strict.recall, f1: strict.f1 });
      }
    }
    results.push({ scene, id: image.id, figure, defaultFormat: formats[index]!, reference: plan.reference, methods });
    options.onScene?.(index + 1, plans.length);
  }
  const html = join(options.outDir, 'index.html');
  await writeFileAtomically(html, compareHtml(results.map((r) => ({ ...r, figure: basename(r.figure) }))));
  return { html, scenes: results };
}
