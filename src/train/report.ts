import { writeFileAtomically } from '../util/atomic.js';
import type { TrainConfig } from './config.js';
import type { StepLog } from './log.js';

export interface DataSummary {
  scenes: { name: string; images: number; width: number; height: number; firstDate: string | null; lastDate: string | null }[];
  bands: string[];
  sensor: string;
}

const SERIES: { key: keyof StepLog; colour: string; label: string }[] = [
  { key: 'loss', colour: '#000000', label: 'loss' },
  { key: 'rec', colour: '#1f77b4', label: 'reconstruction' },
  { key: 'spatial', colour: '#2ca02c', label: 'spatial' },
  { key: 'temporal', colour: '#d62728', label: 'temporal' },
];

/** Loss curves (log scale, moving average over ~1 % of the steps) as a standalone SVG. */
export function lossCurveSvg(log: StepLog[], width = 720, height = 360): string {
  const margin = { left: 60, right: 130, top: 20, bottom: 40 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const window = Math.max(1, Math.round(log.length / 100));
  const smooth = (values: number[]) => values.map((_, i) => {
    const from = Math.max(0, i - window + 1);
    const slice = values.slice(from, i + 1);
    return slice.reduce((a, b) => a + b, 0) / slice.length;
  });
  const series = SERIES.map((s) => ({ ...s, values: smooth(log.map((e) => Math.max(Number(e[s.key]), 1e-8))) }));
  const all = series.flatMap((s) => s.values);
  const lo = Math.log10(Math.min(...all, 1));
  const hi = Math.log10(Math.max(...all, 1e-3));
  const span = Math.max(hi - lo, 1e-6);
  const steps = log.map((e) => e.step);
  const first = Math.min(...steps, 0);
  const last = Math.max(...steps, 1);
  const x = (step: number) => margin.left + ((step - first) / Math.max(last - first, 1)) * plotW;
  const y = (v: number) => margin.top + (1 - (Math.log10(v) - lo) / span) * plotH;
  const lines = series.map((s) => {
    const points = s.values.map((v, i) => `${x(steps[i]!).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    return `<polyline fill="none" stroke="${s.colour}" stroke-width="1.5" points="${points}"/>`;
  });
  const ticks: string[] = [];
  for (let e = Math.ceil(lo); e <= Math.floor(hi); e++) {
    ticks.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#ddd"/>`);
    ticks.push(`<text x="${margin.left - 6}" y="${y(10 ** e) + 4}" text-anchor="end" font-size="11">1e${e}</text>`);
  }
  const legend = series.map((s, i) => `<text x="${width - margin.right + 10}" y="${margin.top + 16 * (i + 1)}" font-size="12" fill="${s.colour}">${s.label}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...ticks,
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`,
    ...lines,
    ...legend,
    `<text x="${margin.left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="12">step (${first}..${last})</text>`,
    `</svg>`,
  ].join('\n');
}

/** The report files of a model: its loss curve, JSON and Markdown reports. */
export function reportPathsFor(modelPath: string): { svgPath: string; jsonPath: string; mdPath: string } {
  return { svgPath: `${modelPath}.loss.svg`, jsonPath: `${modelPath}.report.json`, mdPath: `${modelPath}.report.md` };
}

/** Writes `<model>.report.json`, `<model>.report.md` and `<model>.loss.svg`. */
export async function writeTrainingReport(modelPath: string, config: TrainConfig, data: DataSummary, log: StepLog[], extra: Record<string, unknown>): Promise<string[]> {
  const { svgPath, jsonPath, mdPath } = reportPathsFor(modelPath);
  const tail = log.slice(-Math.max(1, Math.round(log.length / 10)));
  const mean = (key: keyof StepLog, entries: StepLog[]) => entries.reduce((a, e) => a + Number(e[key]), 0) / Math.max(entries.length, 1);
  const head = log.slice(0, Math.max(1, Math.round(log.length / 10)));
  const summary = {
    steps: log.length ? log[log.length - 1]!.step : 0,
    firstLosses: Object.fromEntries(SERIES.map((s) => [s.key, mean(s.key, head)])),
    lastLosses: Object.fromEntries(SERIES.map((s) => [s.key, mean(s.key, tail)])),
    seconds: log.reduce((a, e) => a + e.seconds, 0),
  };
  await writeFileAtomically(svgPath, lossCurveSvg(log));
  await writeFileAtomically(jsonPath, JSON.stringify({ config, data, summary, ...extra }, null, 2) + '\n');
  const md = [
    `# autocm training report`,
    ``,
    `Model: \`${modelPath}\``,
    ``,
    `![loss curves](${svgPath.split('/').pop()})`,
    ``,
    `## Summary`,
    `- steps: ${summary.steps}, time: ${summary.seconds.toFixed(1)} s`,
    `- first 10 % mean losses: ${SERIES.map((s) => `${s.key} ${summary.firstLosses[s.key]!.toExponential(3)}`).join(', ')}`,
    `- last 10 % mean losses: ${SERIES.map((s) => `${s.key} ${summary.lastLosses[s.key]!.toExponential(3)}`).join(', ')}`,
    ``,
    `## Data`,
    `- sensor ${data.sensor}, bands ${data.bands.join(', ')}`,
    ...data.scenes.map((s) => `- ${s.name}: ${s.images} images, ${s.width} x ${s.height} px, ${s.firstDate ?? '?'} .. ${s.lastDate ?? '?'}`),
    ``,
    `## Configuration`,
    ...Object.entries(config).map(([k, v]) => `- ${k}: ${JSON.stringify(v)}`),
    ``,
  ].join('\n');
  await writeFileAtomically(mdPath, md);
  return [svgPath, jsonPath, mdPath];
}
