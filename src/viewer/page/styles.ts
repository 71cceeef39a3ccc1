/** WebGL tile styles of the overlays and their legend; values follow autocm's output conventions. */
export type OverlayKind = 'mask' | 'prob' | 'reference' | 'errors' | 'composite';

const CLOUD: [number, number, number] = [255, 64, 64];
const SHADOW: [number, number, number] = [120, 70, 220];
const FALSE_POSITIVE: [number, number, number] = [255, 160, 0];
const FALSE_NEGATIVE: [number, number, number] = [0, 200, 255];
const TRANSPARENT = [0, 0, 0, 0];

const rgba = (c: [number, number, number], a = 1) => [...c, a];

export const OVERLAY_STYLES: Record<OverlayKind, unknown> = {
  // uint8 0 clear / 1 cloud / 2 shadow / 255 nodata
  mask: { color: ['case', ['==', ['band', 1], 1], rgba(CLOUD), ['==', ['band', 1], 2], rgba(SHADOW), TRANSPARENT] },
  // reference masks: 0 clear / 1 cloud / 2 shadow / 255 nodata
  reference: {
    color: ['case', ['==', ['band', 1], 1], rgba(CLOUD), ['==', ['band', 1], 2], rgba(SHADOW), TRANSPARENT],
  },
  // uint8 0-100, 255 nodata
  prob: {
    color: [
      'case',
      ['>', ['band', 1], 100],
      TRANSPARENT,
      ['interpolate', ['linear'], ['band', 1], 0, [0, 0, 255, 0], 30, [0, 160, 255, 0.5], 60, [255, 255, 0, 0.8], 100, [255, 0, 0, 1]],
    ],
  },
  // band 1 = prediction, band 2 = reference
  errors: {
    color: [
      'case',
      ['any', ['>', ['band', 1], 100], ['>', ['band', 2], 100]],
      TRANSPARENT,
      ['all', ['==', ['band', 1], 1], ['!=', ['band', 2], 1]],
      rgba(FALSE_POSITIVE),
      ['all', ['!=', ['band', 1], 1], ['==', ['band', 2], 1]],
      rgba(FALSE_NEGATIVE),
      TRANSPARENT,
    ],
  },
  composite: { color: ['array', ['band', 1], ['band', 2], ['band', 3], ['band', 4]] },
};

const swatch = (c: number[], label: string) =>
  `<div><span class="swatch" style="background: rgb(${c.slice(0, 3).join(',')})"></span>${label}</div>`;

export function legendHtml(kinds: OverlayKind[]): string {
  const rows: string[] = [];
  for (const kind of new Set(kinds)) {
    if (kind === 'mask') rows.push(swatch(CLOUD, 'cloud'), swatch(SHADOW, 'shadow'));
    if (kind === 'reference') rows.push(swatch(CLOUD, 'cloud (reference)'), swatch(SHADOW, 'shadow (reference)'));
    if (kind === 'prob') {
      rows.push(
        '<div><span class="swatch" style="background: linear-gradient(90deg, rgb(0,160,255), rgb(255,255,0), rgb(255,0,0))"></span>cloud probability 0.3 → 1</div>',
      );
    }
    if (kind === 'errors') rows.push(swatch(FALSE_POSITIVE, 'false positive (predicted cloud)'), swatch(FALSE_NEGATIVE, 'false negative (missed cloud)'));
    if (kind === 'composite') rows.push('<div>composite (true colour)</div>');
  }
  return rows.join('') || '<div>image only</div>';
}
