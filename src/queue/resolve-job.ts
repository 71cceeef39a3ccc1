import { stat } from 'node:fs/promises';
import { confinePath, PathEscapeError } from './confine.js';
import type { CompositeJobData, JobData } from './payload.js';

/** The folders a worker may read from and write to; every path in a job must stay inside them. */
export interface WorkerRoots {
  inputRoot: string;
  outputRoot: string;
}

/**
 * The job with its input and model confined to the input root and its output folder confined to
 * the output root, as resolved real paths (what the child opens is what was checked).
 */
export async function resolveJobPaths(data: JobData, roots: WorkerRoots): Promise<JobData> {
  if (data.kind === 'composite') return resolveCompositePaths(data, roots);
  const input = await confinePath(roots.inputRoot, data.input, 'input');
  const model = await confinePath(roots.inputRoot, data.model, 'model');
  // Only a GeoTIFF file: a folder, list or STAC file would make predict expand it (or fetch URLs).
  await requireRegularFile(input, /\.tiff?$/i, 'input', 'a .tif/.tiff file');
  await requireRegularFile(model, /\.safetensors$/i, 'model', 'a .safetensors file');
  return { ...data, input, model, outputDir: await confinePath(roots.outputRoot, data.outputDir, 'output folder') };
}

async function requireRegularFile(path: string, name: RegExp, what: string, expected: string): Promise<void> {
  const stats = await stat(path).catch(() => null);
  if (!stats) throw new PathEscapeError(`${what}: ${path} does not exist on this worker (is the shared folder mounted at --input-root?)`);
  if (!stats.isFile() || !name.test(path)) throw new PathEscapeError(`${what}: ${path} is not ${expected}`);
}

/** A composite's images inside the input root; its masks inside the root the job names (predict writes them to the output root). */
async function resolveCompositePaths(data: CompositeJobData, roots: WorkerRoots): Promise<CompositeJobData> {
  const images: string[] = [];
  for (const image of data.images) {
    const path = await confinePath(roots.inputRoot, image, 'image');
    await requireRegularFile(path, /\.tiff?$/i, 'image', 'a .tif/.tiff file');
    images.push(path);
  }
  const masksDir = await confinePath(data.masksRoot === 'output' ? roots.outputRoot : roots.inputRoot, data.masksDir, 'masks folder');
  const stats = await stat(masksDir).catch(() => null);
  if (!stats?.isDirectory()) throw new PathEscapeError(`masks folder: ${masksDir} is not a folder on this worker`);
  return { ...data, images, masksDir, outputDir: await confinePath(roots.outputRoot, data.outputDir, 'output folder') };
}
