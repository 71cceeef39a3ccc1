/** Sun position of a scene in degrees: azimuth clockwise from north, elevation above the horizon. */
export interface SunAngles {
  azimuth: number;
  elevation: number;
}

/** One reflectance band of a window (row-major, NaN = nodata), by canonical name (nir, swir1, red, ...). */
export interface NamedBand {
  name: string;
  values: Float32Array;
}

/** Cloud-mask states the detector reads (the same values as `*_cloudmask.tif`). */
export const WINDOW_CLEAR = 0;
export const WINDOW_CLOUD = 1;
export const WINDOW_NODATA = 255;

/** Everything the shadow detector needs for one window of a scene (the window includes its halo). */
export interface ShadowWindow {
  width: number;
  height: number;
  /** Reflectance bands; `nir` is required, `swir1` and `red` are used when present. */
  bands: NamedBand[];
  /** Cloud mask of the window before any buffer: 0 clear, 1 cloud, 255 nodata. */
  cloud: Uint8Array;
  /** Ground size of a pixel in metres (converts cloud heights to displacements). */
  pixelSize: number;
  /** Sun angles from metadata or options; absent: the direction is searched in the window. */
  sun?: SunAngles;
  /**
   * Clear-sky reflectance of the same window and bands (e.g. the other dates' composite in
   * `predict --stack`); with it darkness is measured against it instead of the surroundings.
   */
  reference?: NamedBand[];
}

export interface ShadowParameters {
  /** Lowest and highest cloud height searched, metres. */
  minCloudHeight: number;
  maxCloudHeight: number;
  /** Largest displacement in pixels (also the halo a caller must give around its core rows). */
  maxShift: number;
  /** One image (and pixels no other date saw clear): dark when NIR and SWIR1 fall below this ratio of the clear ground of the same cover around (`coverBlock`, `coverQuantile`, `coverClasses`). */
  coverRatio: number;
  /** One image: the cover's level is taken over the pixel's block of this many px and the 8 blocks around. */
  coverBlock: number;
  /** One image: the cover's level is this quantile of its clear, not-dark pixels there (above the median: shadow and dark patches pull the lower part down). */
  coverQuantile: number;
  /** One image: covers are this many equal NDVI bins from -0.2 to 0.9 (a shadow keeps the NDVI of the ground it darkens). */
  coverClasses: number;
  /** With a clear-sky reference, inside matched projections: shadow also where the one-image test calls the pixel dark and the clear-sky darkness is at least this (> 0.5: off). */
  coverAssist: number;
  /** With a clear-sky reference: dark when NIR (and SWIR1) fall below this ratio of the reference (after the local background, `referenceBlock`). */
  referenceRatio: number;
  /** With a clear-sky reference: the ratio is divided by the median ratio of the not-dark clear ground in blocks of this many px (0: off). */
  referenceBlock: number;
  /** With a clear-sky reference: permanent water is dark when red falls below this share of the window's clear-water red ratio. */
  waterRatio: number;
  /** With a clear-sky reference and red: no shadow where red rises above this multiple of its clear-sky ratio around (0: off). */
  redCeiling: number;
  /** A cloud object's shadow is accepted when this share of its projected pixels is dark. */
  minMatch: number;
  /** The matched projection is grown by this many pixels before it is intersected with dark pixels. */
  projectionGrowth: number;
  /** Cloud objects smaller than this (pixels) take the scene's median displacement, unsearched. */
  minObjectPixels: number;
  /** Also shadow: dark pixels with a cloud towards the sun within this multiple of the median displacement (0: off). */
  rayReach: number;
  /** Rays that leave the window before finding a cloud count as shadowed (a cloud beyond the window may cast them). */
  openEdges: boolean;
  /** Each object searches displacements within this factor of the window's best one (0: the whole range). */
  objectSpread: number;
  /** Without sun angles the direction search counts pixels from this darkness on (above 0.5: only clearly dark ground, so that a dark cover weakly darker than its level does not pass for shadow). */
  searchDarkness: number;
  /** A searched direction is refined at full resolution within this many degrees either way (0: off). */
  refineDegrees: number;
  /** Inside a matched projection (grown), shadow from this darkness on (0.5: the same test as elsewhere; 0.4 = a fifth of the way from the threshold to no darkening: with a reference land 0.84 and water 0.6 of the ground around, in one image 0.8 of the cover's level). */
  projectionDarkness: number;
  /** Object matching keeps the landing with most dark minus bright clear pixels (else: the first peak of the dark share). */
  netMatch: boolean;
}

export const defaultShadowParameters: ShadowParameters = {
  minCloudHeight: 0,
  maxCloudHeight: 8000,
  maxShift: 256,
  coverRatio: 0.75,
  coverBlock: 32,
  coverQuantile: 0.75,
  coverClasses: 12,
  coverAssist: 0.1,
  referenceRatio: 0.8,
  referenceBlock: 32,
  waterRatio: 0.5,
  redCeiling: 1.5,
  minMatch: 0.3,
  projectionGrowth: 2,
  minObjectPixels: 9,
  rayReach: 2,
  openEdges: true,
  objectSpread: 0,
  searchDarkness: 0.55,
  refineDegrees: 10,
  projectionDarkness: 0.4,
  netMatch: true,
};

/** Darkness of every pixel of a window in [0, 1] (0.5 at the dark threshold): `dark` for object matching and rays, `inProjection` inside matched projections (where it differs, e.g. new water). */
export interface Darkness {
  dark: Float32Array;
  inProjection: Float32Array;
}

/** How the shadow direction of a window was found. */
export type DirectionSource = 'sun' | 'search' | 'none';

export interface ShadowResult {
  /** 1 where shadow (never on cloud or nodata), else 0. */
  shadow: Uint8Array;
  /** Shadow probability in [0, 1] (NaN where nodata, 0 on cloud). */
  probability: Float32Array;
  /** Unit shadow direction in pixel steps (x east, y south), null when none was found. */
  direction: { x: number; y: number } | null;
  directionSource: DirectionSource;
  /** Median displacement of the matched cloud objects, pixels (0 when none matched). */
  medianShift: number;
  /** Cloud objects whose shadow was found, of those searched. */
  matchedObjects: number;
  searchedObjects: number;
}
