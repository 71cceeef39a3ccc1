import { readFile, rm } from 'node:fs/promises';
import { createCogWriter } from '../raster/cog-writer.js';
import { openRaster } from '../raster/open.js';
import { StreamingClassDilation } from '../predict/class-dilation.js';
import { shadowPass } from '../predict/shadow-pass.js';
import { shadowBandsOf, shadowSetup, sunFromMetadata } from '../predict/shadow-setup.js';
import { temporaryPathFor } from '../util/atomic.js';
import type { CogWriter, RasterSource } from '../raster/types.js';
import { loadModel } from '../model/weights.js';
import { stripPath } from './layout.js';
import type { AssembleJobData } from './payload.js';
import { prepareScene } from './scene-preparation.js';
import { bytesPerProbability, stripByteLength } from './strip-format.js';

/**
 * The parent job of a split scene, run once every strip is done: streams the strips, in row
 * order, into the probability COG and (through the mask dilation, which spans band edges) the
 * mask COG, with the writer options of a one-machine predict. With a NIR band the assembled
 * cloud mask is written undilated to a temporary COG first and the shadow pass of `predict`
 * (src/predict/shadow-pass.ts: bands of rows with their halo, then the cloud + shadow buffer)
 * writes the final mask, so a split scene's mask has the shadow class as predict's has.
 */
export async function assembleScene(task: AssembleJobData, onProgress: (fraction: number) => void): Promise<{ pixels: number }> {
  const model = await loadModel(task.model);
  const scene = await prepareScene(task, model);
  const { width, height } = task;
  const writers: { probability?: CogWriter; mask?: CogWriter } = {};
  const finished: string[] = [];
  const shadowBands = shadowBandsOf(scene.image.bandNames);
  const cloudOnlyPath = shadowBands ? temporaryPathFor(scene.outputs.mask) : scene.outputs.mask;
  let cloudOnly: RasterSource | undefined;
  try {
    writers.probability = await createCogWriter(scene.outputs.probability, scene.writerOptions.probability);
    writers.mask = await createCogWriter(cloudOnlyPath, scene.writerOptions.mask);
    const dilation = new StreamingClassDilation(width, height, shadowBands ? 0 : task.options.buffer, 0);
    const probabilityBytes = bytesPerProbability(task.options.format);
    for (const band of task.bands) {
      const path = stripPath(task.outputDir, task.sceneKey, band);
      const bytes = await readFile(path);
      const expected = stripByteLength(band, width, task.options.format);
      if (bytes.length !== expected) throw new Error(`${path}: strip has ${bytes.length} bytes, expected ${expected}`);
      const pixels = (band.end - band.start) * width;
      const probabilityRows = bytes.subarray(0, pixels * probabilityBytes);
      // Copies, so that the typed arrays are aligned whatever the Buffer's offset.
      const probability = task.options.format === 'uint8' ? new Uint8Array(probabilityRows) : new Float32Array(new Uint8Array(probabilityRows).buffer);
      const maskRows = new Uint8Array(bytes.subarray(pixels * probabilityBytes));
      await writers.probability.writeWindow({ window: { x: 0, y: band.start, width, height: band.end - band.start }, bands: [probability] });
      const dilated = dilation.push(maskRows);
      const dilatedHeight = dilated.rows.length / width;
      if (dilatedHeight > 0) await writers.mask.writeWindow({ window: { x: 0, y: dilated.y, width, height: dilatedHeight }, bands: [dilated.rows] });
      onProgress(band.end / height);
    }
    await writers.probability.finish();
    finished.push(scene.outputs.probability);
    await writers.mask.finish();
    finished.push(cloudOnlyPath);
    if (shadowBands) {
      const { writerOptions, image, source } = scene;
      cloudOnly = await openRaster(cloudOnlyPath);
      const setup = shadowSetup({
        bands: shadowBands,
        maskOptions: writerOptions.mask,
        reflectanceScaling: (b) => image.reflectanceScaling(b),
        nodata: image.nodata,
        info: source.info,
        sun: image.sun ?? sunFromMetadata(source.info.metadata),
        cloudBuffer: task.options.buffer,
        shadowBuffer: task.options.buffer,
        probabilityFormat: task.options.format,
      });
      writers.mask = await createCogWriter(scene.outputs.mask, setup.maskOptions);
      await shadowPass(source, cloudOnly, { mask: writers.mask }, setup.passOptions);
      await writers.mask.finish();
      finished.push(scene.outputs.mask);
    }
  } catch (error) {
    await Promise.all([writers.probability?.abort(), writers.mask?.abort(), ...finished.map((path) => rm(path, { force: true }))]);
    throw error;
  } finally {
    await cloudOnly?.close();
    if (shadowBands) await rm(cloudOnlyPath, { force: true });
    await scene.close();
  }
  // The strips stay until the worker has written the done marker (it removes them then), so a
  // retry after a crash between here and the marker can still assemble.
  return { pixels: width * height };
}
