/**
 * Child process for the signal tests: with the CLI's cleanup installed, opens a COG writer (its
 * tile spool) and an atomic write that never ends (its temporary file) in DIR, prints "ready",
 * and waits to be signalled. Usage: node temporary-signal-child.js DIR
 */
import { join } from 'node:path';
import { createCogWriter } from '../../src/raster/cog-writer.js';
import { writeAtomically } from '../../src/util/atomic.js';
import { cleanUpTemporariesOnExit } from '../../src/util/temporary-cleanup.js';
import { writeFileFully } from '../../src/util/write-fully.js';

const dir = process.argv[2]!;
cleanUpTemporariesOnExit();
await createCogWriter(join(dir, 'image.tif'), { width: 64, height: 64, bandCount: 1, sampleType: 'uint8', georeference: { geoTransform: null, epsg: null, geoKeys: null } });
void writeAtomically(join(dir, 'model.safetensors'), async (temporary) => {
  await writeFileFully(temporary, 'half');
  process.stdout.write('ready\n');
  await new Promise(() => undefined);
});
setInterval(() => undefined, 1000);
