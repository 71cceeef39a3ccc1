import { basename } from 'node:path';
import { CLASS_COLOURS, cssColour } from '../report/png.js';
import type { ComparedScene } from './compare.js';

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const fmt = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(3));

/** One page: per scene the figure (image | Auto-CM | DEC | default mask) and, with a reference, the score table. */
export function compareHtml(scenes: ComparedScene[]): string {
  const legend = [
    ['clear', CLASS_COLOURS[0]!],
    ['cloud', CLASS_COLOURS[1]!],
    ['shadow', CLASS_COLOURS[2]!],
  ]
    .map(([name, c]) => `<span><i style="background:${cssColour(c as [number, number, number, number])}"></i>${name}</span>`)
    .join(' ');
  const sections = scenes.map((s) => {
    const captions = ['image', ...s.methods.map((m) => (m.note ? `${m.label} (n/a: ${m.note})` : m.label))].map((c) => `<th>${escape(c)}</th>`).join('');
    const table = s.reference
      ? `<table class="scores"><caption>cloud scores against ${escape(basename(s.reference))}</caption><tr><th>method</th><th>precision</th><th>recall</th><th>F1</th></tr>${s.methods
          .map((m) => `<tr><td>${escape(m.label)}</td><td>${fmt(m.precision)}</td><td>${fmt(m.recall)}</td><td>${fmt(m.f1)}</td></tr>`)
          .join('')}</table>`
      : '<p>No reference given: no scores.</p>';
    return `<section id="${escape(s.id)}"><h2>${escape(basename(s.scene))}</h2><table class="panels"><tr>${captions}</tr></table><img class="figure" src="${escape(s.figure)}" alt="${escape(s.id)}: image, Auto-CM, DEC, default mask">${table}</section>`;
  });
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>autocm compare</title>
<style>body{font-family:sans-serif;margin:1em}img.figure{width:100%;max-width:1200px;image-rendering:pixelated}table.panels{width:100%;max-width:1200px;table-layout:fixed}table.scores td,table.scores th{padding:2px 8px;text-align:right}i{display:inline-block;width:1em;height:1em;margin:0 4px;border:1px solid #888;vertical-align:middle}</style>
</head><body><h1>Auto-CM, DEC and the product's default mask</h1><p>${legend}</p>
${sections.join('\n')}
</body></html>
`;
}
