import { open } from 'node:fs/promises';
import { createMaskSession } from '../engine/mask-session.js';
import { loadModel } from '../model/weights.js';
import { predictScene, type MaskRunner } from '../predict/scene-predictor.js';
import { planTiles } from '../predict/tile-plan.js';
import type { CogWriter, RasterSource, ReadOptions, TypedArray, Window, WindowData } from '../raster/types.js';
import { writeAtomically } from '../util/atomic.js';
import { AutocmError } from '../util/errors.js';
import { stripPath } from './layout.js';
import type { StripJobData } from './payload.js';
import { prepareScene } from './scene-preparation.js';
import { bytesPerProbability, stripByteLength } from './strip-format.js';

const typedArrayFor: Record<string, new (length: number) => TypedArray> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** Rows [start, end) of a full-width output captured from predictScene's writer calls. */
class RowCapture implements CogWriter {
  readonly data: Uint8Array;
  rowsReceived = 0;
  constructor(
    private readonly start: number,
    private readonly end: number,
    private readonly width: number,
    private readonly bytesPerSample: number,
  ) {
    this.data = new Uint8Array((end - start) * width * bytesPerSample);
  }
  async writeWindow(windowData: WindowData): Promise<void> {
    const { window, bands } = windowData;
    const band = bands[0]!;
    const bytes = new Uint8Array(band.buffer, band.byteOffset, band.byteLength);
    const from = Math.max(window.y, this.start);
    const to = Math.min(window.y + window.height, this.end);
    if (to <= from) return;
    const rowBytes = this.width * this.bytesPerSample;
    this.data.set(bytes.subarray((from - window.y) * rowBytes, (to - window.y) * rowBytes), (from - this.start) * rowBytes);
    this.rowsReceived += to - from;
  }
  async finish(): Promise<void> {}
  async abort(): Promise<void> {}
  get complete(): boolean {
    return this.rowsReceived === this.end - this.start;
  }
}

/**
 * One row band of a split scene. predictScene runs over the whole scene's tile plan, so every
 * pixel of the band gets exactly the tiles, blend weights and summation order of a one-machine
 * predict; the network runs only on tile rows that reach into the band (other tiles read no
 * pixels and yield zeros), and the run stops once the band's last row is out. The probability
 * rows (output format) and the mask rows BEFORE dilation (the assembler dilates across bands)
 * are written to the scene's scratch area atomically.
 */
export async function predictStrip(
  task: StripJobData,
  onProgress: (fraction: number) => void,
  engine: { threads: number | undefined; provider: string | undefined },
): Promise<{ pixels: number }> {
  const model = await loadModel(task.model);
  const scene = await prepareScene(task, model);
  try {
    const { width, height } = scene.source.info;
    if (width !== task.width || height !== task.height) {
      throw new AutocmError(`is ${width} x ${height} px now, ${task.width} x ${task.height} when submitted: the file changed, submit it again`, task.input);
    }
    const plan = planTiles(width, height, task.options.tile, task.options.overlap);
    const needed = plan.rows.map((row) => row.start < task.band.end && row.start + row.length > task.band.start);
    const firstNeeded = needed.indexOf(true);
    const lastNeeded = needed.lastIndexOf(true);
    const neededFrom = plan.rows[firstNeeded]!.start;
    const neededTo = plan.rows[lastNeeded]!.start + plan.rows[lastNeeded]!.length;
    const source = zeroOutside(scene.source, neededFrom, neededTo);
    const session = await createMaskSession(model, engine);
    const probability = new RowCapture(task.band.start, task.band.end, width, bytesPerProbability(task.options.format));
    const mask = new RowCapture(task.band.start, task.band.end, width, 1);
    const runner: MaskRunner = {
      async run(input, n, tileHeight, tileWidth, at) {
        if (!needed[at.row]) return { mask: new Float32Array(n * tileHeight * tileWidth) };
        return session.run(input, n, tileHeight, tileWidth);
      },
    };
    // The tile row after which every row of the band is final (the next tile row starts at or below its end).
    const lastTileRow = plan.rows.findIndex((_row, index) => (index + 1 < plan.rows.length ? plan.rows[index + 1]!.start : height) >= task.band.end);
    const neededTiles = (lastNeeded - firstNeeded + 1) * plan.columns.length;
    try {
      await predictScene(source, runner, { probability, mask }, {
        bands: scene.bands,
        nodata: scene.nodata,
        normalisation: scene.normalisation,
        tile: task.options.tile,
        overlap: task.options.overlap,
        threshold: task.options.threshold,
        // Dilation crosses band edges: the assembler applies it to the whole mask.
        buffer: 0,
        probabilityFormat: task.options.format,
        lastTileRow,
        onTile: (done) => {
          const rowIndex = Math.floor((done - 1) / plan.columns.length);
          if (rowIndex >= firstNeeded) onProgress(Math.min(1, (done - firstNeeded * plan.columns.length) / neededTiles));
        },
      });
    } finally {
      await session.release();
    }
    if (!probability.complete || !mask.complete) throw new Error(`strip rows ${task.band.start}-${task.band.end} of ${task.input} were not all produced`);
    const target = stripPath(task.outputDir, task.sceneKey, task.band);
    await writeAtomically(target, async (temporary) => {
      const handle = await open(temporary, 'r+');
      try {
        await handle.writeFile(probability.data);
        await handle.writeFile(mask.data);
      } finally {
        await handle.close();
      }
    });
    const expected = stripByteLength(task.band, width, task.options.format);
    if (probability.data.length + mask.data.length !== expected) throw new Error(`strip size ${probability.data.length + mask.data.length} is not ${expected}`);
    return { pixels: (task.band.end - task.band.start) * width };
  } finally {
    await scene.close();
  }
}

/** The source, except that windows entirely outside rows [from, to) are zeros without a read. */
function zeroOutside(source: RasterSource, from: number, to: number): RasterSource {
  const arrayType = typedArrayFor[source.info.sampleType]!;
  return {
    info: source.info,
    async readWindow(window: Window, options?: ReadOptions): Promise<WindowData> {
      if (window.y < to && window.y + window.height > from) return source.readWindow(window, options);
      const count = options?.bands?.length ?? source.info.bandCount;
      return { window, bands: Array.from({ length: count }, () => new arrayType(window.width * window.height)) };
    },
    close: () => source.close(),
  };
}
