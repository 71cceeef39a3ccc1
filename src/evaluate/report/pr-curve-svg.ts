import type { SweepResult } from '../threshold-sweep.js';

const escapeXml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The precision-recall curve of a threshold sweep as inline SVG, best-F1 point marked. */
export function prCurveSvg(sweep: SweepResult, title: string, size = 260): string {
  const pad = 36;
  const inner = size - 2 * pad;
  const x = (recall: number) => pad + recall * inner;
  const y = (precision: number) => size - pad - precision * inner;
  const points = sweep.points.filter((p) => p.precision !== null && p.recall !== null);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.recall!).toFixed(1)},${y(p.precision!).toFixed(1)}`).join(' ');
  const best = sweep.best;
  const marker =
    best && best.precision !== null
      ? `<circle cx="${x(best.recall).toFixed(1)}" cy="${y(best.precision).toFixed(1)}" r="4" fill="#e41a1c"><title>best F1 ${best.f1.toFixed(4)} at ${best.threshold.toFixed(2)}</title></circle>`
      : '';
  const ticks = [0, 0.5, 1]
    .map(
      (t) =>
        `<text x="${x(t)}" y="${size - pad + 14}" font-size="10" text-anchor="middle">${t}</text>` +
        `<text x="${pad - 6}" y="${y(t) + 3}" font-size="10" text-anchor="end">${t}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="pr-curve" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="${pad}" y="${pad}" width="${inner}" height="${inner}" fill="none" stroke="#888"/>`,
    path ? `<path d="${path}" fill="none" stroke="#1f78ff" stroke-width="2"/>` : '',
    marker,
    ticks,
    `<text x="${size / 2}" y="${size - 4}" font-size="11" text-anchor="middle">recall</text>`,
    `<text x="12" y="${size / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${size / 2})">precision</text>`,
    `<text x="${size / 2}" y="${pad - 10}" font-size="11" text-anchor="middle">${escapeXml(title)}</text>`,
    '</svg>',
  ].join('');
}
