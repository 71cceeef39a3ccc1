import { compositeStack } from '../composite/composite-stack.js';
import { reflectanceStackOf } from '../raster/reflectance-stack.js';
import { openStack } from '../raster/stack.js';
import { makeDirectories } from '../util/directories.js';
import { clearCountPath, compositePath } from './layout.js';
import type { CompositeJobData } from './payload.js';

const utcDate = (day: string | null): Date | undefined => (day === null ? undefined : new Date(`${day}T00:00:00Z`));

/** A composite job: `autocm composite` of one stack with its masks, into the job's output folder. */
export async function compositeJob(task: CompositeJobData, onProgress: (fraction: number) => void): Promise<{ pixels: number }> {
  onProgress(0);
  const stack = reflectanceStackOf(await openStack(task.images));
  await makeDirectories(task.outputDir);
  const summary = await compositeStack(stack, {
    output: compositePath(task.outputDir, task.stem),
    countPath: task.options.count ? clearCountPath(task.outputDir, task.stem) : undefined,
    method: task.options.method,
    threshold: task.options.threshold ?? undefined,
    masksDir: task.masksDir,
    allowMissing: task.options.allowMissing,
    from: utcDate(task.options.from),
    to: utcDate(task.options.to),
    onProgress: (done, total) => onProgress(done / total),
  });
  return { pixels: summary.width * summary.height };
}
