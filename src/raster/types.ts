/** Shared raster vocabulary: every other module speaks these types, never geotiff.js directly. */

export type SampleType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

export type TypedArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

/** GDAL-order affine geotransform: [originX, pixelWidth, rowRotation, originY, colRotation, pixelHeight (negative for north-up)]. */
export type GeoTransform = [number, number, number, number, number, number];

/** A pixel window: column/row offset and size, in full-resolution pixels. */
export interface Window {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The georeferencing of a raster: enough to write it back out so that GDAL reports the same CRS. */
export interface Georeference {
  /** Affine transform, or null for an image without georeferencing (pixel space). */
  geoTransform: GeoTransform | null;
  /** EPSG code when the GeoKeys name one (projected or geographic), else null. */
  epsg: number | null;
  /** The raw GeoKey directory (key name -> value), copied verbatim to outputs. */
  geoKeys: Record<string, number | string | number[]> | null;
}

export interface RasterInfo extends Georeference {
  /** Local path or URL as given by the user. */
  source: string;
  width: number;
  height: number;
  bandCount: number;
  sampleType: SampleType;
  /** GDAL_NODATA value, or null. */
  nodata: number | null;
  /** Per-band descriptions (GDAL metadata DESCRIPTION) or empty strings. */
  bandDescriptions: string[];
  /** Per-band GDAL metadata items other than the description (e.g. SCALE, OFFSET, WAVELENGTH), by band. */
  bandMetadata?: Record<string, string>[];
  /** Internal block (tile or strip) size of the full-resolution image. */
  blockWidth: number;
  blockHeight: number;
  tiled: boolean;
  /** TIFF Compression tag name: 'none' | 'deflate' | 'lzw' | 'packbits' | 'zstd' | 'jpeg' | 'lerc' | ... */
  compression: string;
  /** 'pixel' (chunky, PlanarConfiguration 1) or 'band' (planar, 2). */
  interleave: 'pixel' | 'band';
  /** Reduced-resolution images (overviews), largest first, as width x height. */
  overviews: { width: number; height: number }[];
  bigTiff: boolean;
  /** Free-form metadata: TIFF DateTime, ImageDescription, GDAL metadata items. */
  metadata: Record<string, string>;
}

/** Band-sequential pixel data of one window: bands[b][row * width + col]. */
export interface WindowData {
  window: Window;
  bands: TypedArray[];
}

export interface ReadOptions {
  /** 0-based band indices to read; all bands when omitted. */
  bands?: number[];
  /** Read from an overview: 0 = full resolution, 1 = first overview, ...; the window is in that level's pixels. */
  level?: number;
  signal?: AbortSignal;
}

/** An open raster (local file or HTTP(S) URL) from which windows are read without loading the whole file. */
export interface RasterSource {
  readonly info: RasterInfo;
  readWindow(window: Window, options?: ReadOptions): Promise<WindowData>;
  close(): Promise<void>;
}

export interface CogWriteOptions {
  width: number;
  height: number;
  bandCount: number;
  sampleType: 'uint8' | 'uint16' | 'float32';
  georeference: Georeference;
  nodata?: number | null;
  bandDescriptions?: string[];
  /** Tile size, 512 by default. */
  blockSize?: number;
  /** Overview resampling: 'nearest' for masks/classes, 'average' for continuous data. Default 'nearest'. */
  overviewResampling?: 'nearest' | 'average';
  /** Extra GDAL metadata items (e.g. ACQUISITION_DATE, AUTOCM_MODEL). */
  metadata?: Record<string, string>;
  /** Per-band GDAL metadata items (as RasterInfo.bandMetadata; SCALE and OFFSET become GDAL's band scale/offset). */
  bandMetadata?: Record<string, string>[];
  /** Force BigTIFF; by default it is used only when the file would not fit in 4 GiB. */
  bigTiff?: boolean;
}

/**
 * A streaming COG writer: the caller hands in full-resolution data in windows (any order,
 * each pixel once), memory stays bounded, and `finish()` assembles the COG under a temporary
 * name and renames it onto the final path. `abort()` removes every temporary file.
 */
export interface CogWriter {
  writeWindow(data: WindowData): Promise<void>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}
