import 'ol/ol.css';
import './app.css';
import Map from 'ol/Map.js';
import View from 'ol/View.js';
import Projection from 'ol/proj/Projection.js';
import WebGLTileLayer from 'ol/layer/WebGLTile.js';
import GeoTIFFSource from 'ol/source/GeoTIFF.js';
import ImageLayer from 'ol/layer/Image.js';
import ImageStatic from 'ol/source/ImageStatic.js';
import { getRenderPixel } from 'ol/render.js';
import type RenderEvent from 'ol/render/Event.js';
import type BaseLayer from 'ol/layer/Base.js';
import { maskInBrowser, type BrowserPrediction, type ImageBands } from './browser-mask.js';
import type { Catalog as CatalogJson, ImageEntry as ImageJson, RasterEntry as RasterJson } from '../catalog.js';
import type { BrowserModelMetadata } from './browser-mask.js';
import { OVERLAY_STYLES, type OverlayKind, legendHtml } from './styles.js';

interface OverlayChoice {
  id: string;
  label: string;
  kind: OverlayKind;
  rasters: (image: ImageJson) => RasterJson[] | null;
  /** Why this overlay cannot be drawn for an image, when it cannot. */
  unavailable?: (image: ImageJson) => string | null;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (text: string) => {
  $('status').textContent = text;
};

function extentOf(raster: RasterJson): [number, number, number, number] {
  const t = raster.geoTransform;
  if (!t) return [0, -raster.height, raster.width, 0];
  const xs = [t[0], t[0] + raster.width * t[1] + raster.height * t[2]];
  const ys = [t[3], t[3] + raster.width * t[4] + raster.height * t[5]];
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function projectionOf(raster: RasterJson): Projection {
  return new Projection({
    code: raster.epsg ? `EPSG:${raster.epsg}` : 'autocm:pixel',
    units: raster.epsg === 4326 ? 'degrees' : raster.geoTransform ? 'm' : 'pixels',
    extent: extentOf(raster),
  });
}

function overlayChoices(catalog: CatalogJson): OverlayChoice[] {
  const groups = new Set<string>();
  for (const image of catalog.images) for (const group of Object.keys(image.layers)) groups.add(group);
  const choices: OverlayChoice[] = [{ id: 'none', label: '(none)', kind: 'mask', rasters: () => null }];
  for (const group of [...groups].sort()) {
    const isReference = group === 'reference';
    choices.push({
      id: `${group}:mask`,
      label: `${group} ${isReference ? 'mask' : 'cloud mask'}`,
      kind: isReference ? 'reference' : 'mask',
      rasters: (image) => (image.layers[group]?.mask ? [image.layers[group]!.mask!] : null),
    });
    if (!isReference) {
      choices.push({
        id: `${group}:prob`,
        label: `${group} cloud probability`,
        kind: 'prob',
        rasters: (image) => (image.layers[group]?.prob ? [image.layers[group]!.prob!] : null),
      });
    }
  }
  for (const group of [...groups].filter((g) => g !== 'reference').sort()) {
    choices.push({
      id: `${group}:errors`,
      label: `${group} errors vs reference`,
      kind: 'errors',
      rasters: (image) => {
        const predicted = image.layers[group]?.mask;
        const reference = image.layers.reference?.mask;
        return predicted && reference ? [predicted, reference] : null;
      },
      unavailable: (image) => {
        const predicted = image.layers[group]?.mask;
        const reference = image.layers.reference?.mask;
        if (!predicted || !reference || predicted.tileLayout === reference.tileLayout) return null;
        return `no error map for ${image.date ?? image.stem}: the ${group} mask and the reference differ in size, tiling or overviews (${predicted.tileLayout} vs ${reference.tileLayout}); write the reference as a COG on the same grid (e.g. gdal_translate -of COG -co BLOCKSIZE=512)`;
      },
    });
  }
  catalog.composites.forEach((composite, i) => {
    choices.push({ id: `composite:${i}`, label: `composite ${composite.name}`, kind: 'composite', rasters: () => [composite] });
  });
  choices.push({ id: 'browser', label: 'browser prediction', kind: 'prob', rasters: () => null });
  return choices;
}

function imageLayerFor(image: ImageJson): WebGLTileLayer {
  const source = new GeoTIFFSource({
    projection: projectionOf(image),
    sources: [
      {
        url: image.url,
        bands: image.rgb.map((b) => b + 1),
        min: image.stretch.map((s) => s[0]),
        max: image.stretch.map((s) => s[1]),
        nodata: image.nodata ?? 0,
      },
    ],
    transition: 0,
  });
  return new WebGLTileLayer({ source, style: { color: ['array', ['band', 1], ['band', 2], ['band', 3], ['band', 4]], gamma: 1.2 } as never });
}

function overlayLayerFor(choice: OverlayChoice, image: ImageJson): WebGLTileLayer | null {
  const rasters = choice.rasters(image);
  if (!rasters) return null;
  if (choice.kind === 'composite') return imageLayerFor(rasters[0] as ImageJson);
  const source = new GeoTIFFSource({
    projection: projectionOf(rasters[0]!),
    normalize: false,
    sources: rasters.map((r) => ({ url: r.url, bands: [1], nodata: -1 })),
    transition: 0,
  });
  return new WebGLTileLayer({ source, style: OVERLAY_STYLES[choice.kind] as never });
}

/** Clips a WebGL layer to the left or right of the swipe line (OpenLayers' webgl-layer-swipe recipe). */
function clipToSide(layer: WebGLTileLayer, side: 'left' | 'right', swipe: () => number, map: Map): void {
  layer.on('prerender', (event: RenderEvent) => {
    const gl = event.context as WebGLRenderingContext;
    const size = map.getSize();
    if (!size) return;
    const cut = size[0]! * swipe();
    const [x0, y0] = [side === 'left' ? 0 : cut, size[1]!];
    const [x1, y1] = [side === 'left' ? cut : size[0]!, 0];
    const bottomLeft = getRenderPixel(event, [x0, y0]);
    const topRight = getRenderPixel(event, [x1, y1]);
    gl.enable(gl.SCISSOR_TEST);
    gl.scissor(bottomLeft[0]!, bottomLeft[1]!, Math.max(0, topRight[0]! - bottomLeft[0]!), Math.max(0, topRight[1]! - bottomLeft[1]!));
  });
  layer.on('postrender', (event: RenderEvent) => {
    (event.context as WebGLRenderingContext).disable((event.context as WebGLRenderingContext).SCISSOR_TEST);
  });
}

async function main(): Promise<void> {
  const response = await fetch('/api/catalog');
  const catalog = (await response.json()) as CatalogJson & { model: BrowserModelMetadata | null };
  if (catalog.images.length === 0 && catalog.composites.length === 0) {
    status('nothing to show: no images found in the given files and folders');
    return;
  }
  const first = catalog.images[0] ?? catalog.composites[0]!;
  const map = new Map({
    target: 'map',
    view: new View({ projection: projectionOf(first), extent: extentOf(first), constrainOnlyCenter: true }),
  });
  map.getView().fit(extentOf(first));

  const choices = overlayChoices(catalog);
  for (const id of ['overlay-left', 'overlay-right']) {
    const select = $<HTMLSelectElement>(id);
    for (const choice of choices) select.add(new Option(choice.label, choice.id));
  }
  const defaultOverlay = choices.find((c) => c.kind === 'mask' && c.id !== 'none');
  if (defaultOverlay) $<HTMLSelectElement>('overlay-left').value = defaultOverlay.id;

  const dateSelect = $<HTMLSelectElement>('date-select');
  const slider = $<HTMLInputElement>('date-slider');
  catalog.images.forEach((image, i) => dateSelect.add(new Option(image.date ?? image.stem, String(i))));
  slider.max = String(Math.max(0, catalog.images.length - 1));

  let browserPrediction: BrowserPrediction | null = null;
  let layers: BaseLayer[] = [];
  const swipe = () => Number($<HTMLInputElement>('swipe').value) / 100;
  const opacity = () => Number($<HTMLInputElement>('opacity').value) / 100;

  const render = () => {
    for (const layer of layers) map.removeLayer(layer);
    layers = [];
    const index = Number(slider.value);
    const image = catalog.images[index];
    if (image && $<HTMLInputElement>('show-image').checked) layers.push(imageLayerFor(image));
    const sides: ['left' | 'right', string][] = [
      ['left', $<HTMLSelectElement>('overlay-left').value],
      ['right', $<HTMLSelectElement>('overlay-right').value],
    ];
    const kinds: OverlayKind[] = [];
    const notes: string[] = [];
    for (const [side, id] of sides) {
      const choice = choices.find((c) => c.id === id);
      if (!choice || choice.id === 'none') continue;
      const reason = image ? choice.unavailable?.(image) : null;
      if (reason) {
        notes.push(reason);
        continue;
      }
      let layer: BaseLayer | null = null;
      if (choice.id === 'browser') {
        layer = browserPrediction ? browserPrediction.layer : null;
      } else if (image || choice.kind === 'composite') {
        layer = overlayLayerFor(choice, image ?? catalog.images[0]!);
      }
      if (!layer) continue;
      layer.setOpacity(opacity());
      if (layer instanceof WebGLTileLayer) clipToSide(layer, side, swipe, map);
      layers.push(layer);
      kinds.push(choice.kind);
    }
    for (const layer of layers) map.addLayer(layer);
    $('legend').innerHTML = legendHtml(kinds);
    const date = image ? (image.date ?? image.stem) : 'composite';
    document.body.dataset.date = date;
    status([`showing ${date}`, ...notes].join('; '));
  };

  slider.addEventListener('input', () => {
    dateSelect.value = slider.value;
    render();
  });
  dateSelect.addEventListener('change', () => {
    slider.value = dateSelect.value;
    render();
  });
  for (const id of ['overlay-left', 'overlay-right', 'show-image']) $(id).addEventListener('change', render);
  $('opacity').addEventListener('input', () => {
    for (const layer of layers.slice(1)) layer.setOpacity(opacity());
  });
  $('swipe').addEventListener('input', () => map.render());

  const showBrowserPrediction = (prediction: BrowserPrediction) => {
    browserPrediction = prediction;
    const link = $<HTMLAnchorElement>('download');
    link.href = URL.createObjectURL(new Blob([prediction.geotiff], { type: 'image/tiff' }));
    link.hidden = false;
    $<HTMLSelectElement>('overlay-left').value = 'browser';
    render();
    status(`browser mask done: cloud fraction ${prediction.cloudFraction.toFixed(3)} in ${prediction.seconds.toFixed(1)} s`);
    (window as unknown as { autocmBrowserPrediction: unknown }).autocmBrowserPrediction = {
      width: prediction.width,
      height: prediction.height,
      probability: Array.from(prediction.probability),
    };
  };
  const runMask = async (input: { url: string } | { blob: Blob }, imageBands?: ImageBands) => {
    if (!catalog.model) {
      status('no model is being served: start autocm view with --model');
      return;
    }
    status('masking in the browser...');
    try {
      const prediction = await maskInBrowser(
        input,
        catalog.model,
        (raster) => new ImageLayer({ source: new ImageStatic({ url: raster.dataUrl, imageExtent: raster.extent, projection: map.getView().getProjection() }) }),
        imageBands,
      );
      showBrowserPrediction(prediction);
    } catch (error) {
      status(`browser masking failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  $('mask-current').addEventListener('click', () => {
    const image = catalog.images[Number(slider.value)];
    if (image) void runMask({ url: image.url }, { names: image.bandNames, reflectanceScaling: image.reflectanceScaling });
  });
  const drop = $('drop-zone');
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file) void runMask({ blob: file });
  });

  if (catalog.reports.length > 0) {
    $('reports-section').hidden = false;
    for (const report of catalog.reports) {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = report.url;
      link.target = '_blank';
      link.textContent = report.name;
      item.append(link);
      $('reports').append(item);
    }
  }
  render();
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => status(`viewer failed: ${error instanceof Error ? error.message : String(error)}`));
