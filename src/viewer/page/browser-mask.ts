import * as ort from 'onnxruntime-web/wasm';
import { fromBlob, fromUrl, writeArrayBuffer, type GeoTIFFImage } from 'geotiff';
import type BaseLayer from 'ol/layer/Base.js';
import { modelThreshold, probabilityOf, selectModelBands, wholeImageInput, wholeImageNormalisation } from '../../predict/model-input.js';
import type { TypedArray } from '../../raster/types.js';

/** What the page needs of the served model (its metadata, as `autocm model info --json` prints it). */
export interface BrowserModelMetadata {
  bands: string[];
  inputBands: number;
  normalisation: { mode: 'stretch'; lowPercentile: number; highPercentile: number } | { mode: 'scale'; scale: number; offset: number } | { mode: 'reflectance' };
  /** Per input band [scale, offset] to reflectance, given by the server when the mode is 'reflectance'. */
  reflectanceScaling?: [number, number][];
  /** The calibrated threshold, when the model has one. */
  threshold?: number;
}

export interface BrowserPrediction {
  width: number;
  height: number;
  /** Cloud probability 0..1 per pixel, NaN where the input is nodata. */
  probability: Float32Array;
  cloudFraction: number;
  seconds: number;
  layer: BaseLayer;
  geotiff: ArrayBuffer;
}

/** Largest image the page masks in one pass; bigger scenes belong to `autocm predict`. */
const MAX_PIXELS = 2048 * 2048;

ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = 1;
let sessionPromise: Promise<ort.InferenceSession> | null = null;

function session(): Promise<ort.InferenceSession> {
  sessionPromise ??= ort.InferenceSession.create('/model.onnx', { executionProviders: ['wasm'] });
  return sessionPromise;
}

function bandNamesOf(image: GeoTIFFImage, count: number): string[] {
  const names: string[] = [];
  const metadata = (image.fileDirectory as unknown as { GDAL_METADATA?: string }).GDAL_METADATA ?? '';
  for (let band = 0; band < count; band++) {
    const match = new RegExp(`<Item[^>]*name="DESCRIPTION"[^>]*sample="${band}"[^>]*>([^<]*)</Item>`).exec(metadata);
    names.push(match ? match[1]!.trim().toLowerCase() : '');
  }
  return names;
}

/** What the server knows of a catalogued image's bands (sensor detected as `predict` does). */
export interface ImageBands {
  names: string[];
  reflectanceScaling: [number, number][] | null;
}

/** The image bands the model reads: by name, or in order when the names are unknown and the counts agree (as predict). */
function modelBandIndices(image: GeoTIFFImage, model: BrowserModelMetadata, imageBands: ImageBands | undefined): number[] {
  const names = imageBands?.names ?? bandNamesOf(image, image.getSamplesPerPixel());
  return selectModelBands('this image', names, model.bands);
}

function toCanvasUrl(probability: Float32Array, width: number, height: number): string {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d')!;
  const pixels = context.createImageData(width, height);
  for (let i = 0; i < probability.length; i++) {
    const p = probability[i]!;
    if (!(p >= 0)) continue;
    pixels.data[4 * i] = 255;
    pixels.data[4 * i + 1] = Math.round(255 * (1 - p));
    pixels.data[4 * i + 2] = 0;
    pixels.data[4 * i + 3] = Math.round(230 * p);
  }
  context.putImageData(pixels, 0, 0);
  return canvas.toDataURL();
}

/** Masks one GeoTIFF in the browser with the same ONNX graph as the CLI (whole image, centred pad to a multiple of 8). */
export async function maskInBrowser(
  input: { url: string } | { blob: Blob },
  model: BrowserModelMetadata,
  makeLayer: (raster: { dataUrl: string; extent: number[] }) => BaseLayer,
  imageBands?: ImageBands,
): Promise<BrowserPrediction> {
  const started = performance.now();
  const tiff = 'url' in input ? await fromUrl(input.url) : await fromBlob(input.blob);
  const image = await tiff.getImage();
  const width = image.getWidth();
  const height = image.getHeight();
  if (width * height > MAX_PIXELS) throw new Error(`${width} x ${height} is too large to mask in the browser; use autocm predict`);
  if (width < 8 || height < 8) throw new Error(`${width} x ${height} is smaller than 8 pixels`);
  const indices = modelBandIndices(image, model, imageBands);
  const raw = (await image.readRasters({ samples: indices, interleave: false })) as unknown as ArrayLike<number>[];
  const nodata = image.getGDALNoData();
  // Reflectance: the image's own sensor scaling where the server detected it, else the model's sensor.
  const scaling = imageBands?.reflectanceScaling ? indices.map((i) => imageBands.reflectanceScaling![i]!) : (model.reflectanceScaling ?? null);
  const bands = Array.from(raw) as TypedArray[];
  const networkInput = wholeImageInput(bands, width, height, wholeImageNormalisation(bands, model, nodata, scaling), nodata);
  const shape = [1, indices.length, networkInput.inputHeight, networkInput.inputWidth];
  const result = await (await session()).run({ image: new ort.Tensor('float32', networkInput.input, shape) });
  const probability = probabilityOf(result.mask!.data as Float32Array, networkInput, width, height);
  const threshold = modelThreshold(model);
  let cloudy = 0;
  let valid = 0;
  for (const p of probability) {
    if (Number.isNaN(p)) continue;
    valid++;
    if (p >= threshold) cloudy++;
  }
  const [minX, minY, maxX, maxY] = image.getBoundingBox();
  const geoKeys = image.getGeoKeys() as Record<string, unknown> | null;
  const geotiff = writeArrayBuffer(probability, {
    width,
    height,
    ModelPixelScale: [(maxX! - minX!) / width, (maxY! - minY!) / height, 0],
    ModelTiepoint: [0, 0, 0, minX!, maxY!, 0],
    ...(geoKeys?.ProjectedCSTypeGeoKey ? { ProjectedCSTypeGeoKey: geoKeys.ProjectedCSTypeGeoKey, GTModelTypeGeoKey: 1 } : {}),
    ...(geoKeys?.GeographicTypeGeoKey && !geoKeys.ProjectedCSTypeGeoKey ? { GeographicTypeGeoKey: geoKeys.GeographicTypeGeoKey, GTModelTypeGeoKey: 2 } : {}),
    GTRasterTypeGeoKey: 1,
    GDAL_NODATA: 'nan',
  } as never) as ArrayBuffer;
  return {
    width,
    height,
    probability,
    cloudFraction: valid > 0 ? cloudy / valid : 0,
    seconds: (performance.now() - started) / 1000,
    layer: makeLayer({ dataUrl: toCanvasUrl(probability, width, height), extent: [minX!, minY!, maxX!, maxY!] }),
    geotiff,
  };
}
