// Bundles the browser viewer (OpenLayers + onnxruntime-web + geotiff.js) into dist/viewer.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

mkdirSync('dist/viewer', { recursive: true });
await build({
  entryPoints: { app: 'src/viewer/page/main.ts' },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  outdir: 'dist/viewer',
  logLevel: 'warning',
});
copyFileSync('src/viewer/page/index.html', 'dist/viewer/index.html');
