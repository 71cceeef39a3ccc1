import type { Command } from 'commander';
import { buildCatalog } from '../viewer/catalog.js';
import { loadBrowserModel } from '../viewer/browser-model.js';
import { startViewerServer } from '../viewer/server.js';
import { AutocmError } from '../util/errors.js';
import { printResult } from './output.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function registerView(program: Command): void {
  program
    .command('view')
    .description('Open stacks, cloud masks, composites and reports in a local web viewer (OpenLayers), with in-browser masking')
    .argument('<inputs...>', 'folders and files to serve (only these are served)')
    .option('--port <port>', 'port to listen on (0 = any free port)', '8080')
    .option('--host <host>', 'address to bind; anything but loopback exposes your files to the network', '127.0.0.1')
    .option('--model <file>', 'model (.safetensors) for in-browser masking; default: the model that ships with autocm')
    .option('--json', 'print the URL as JSON')
    .action(async (inputs: string[], options: { port: string; host: string; model?: string; json?: boolean }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AutocmError(`--port must be an integer 0-65535, got ${options.port}`);
      if (!LOOPBACK.has(options.host)) {
        process.stderr.write(`autocm: warning: binding to ${options.host}: every file given to view is readable from the network\n`);
      }
      process.stderr.write('autocm view: reading the catalog...\n');
      const { catalog, files, reportRoots, warnings } = await buildCatalog(inputs);
      for (const warning of warnings) process.stderr.write(`autocm: warning: ${warning}\n`);
      const model = await loadBrowserModel(options.model);
      const { url } = await startViewerServer({ catalog, files, reportRoots, model }, port, options.host);
      printResult(Boolean(options.json), { url, images: catalog.images.length, composites: catalog.composites.length, model: Boolean(model) }, () =>
        [`autocm viewer at ${url}`, `${catalog.images.length} images, ${catalog.composites.length} composites, ${catalog.reports.length} reports; Ctrl-C to stop`].join('\n'),
      );
    });
}
