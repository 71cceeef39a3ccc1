// `npm run bench`: every benchmark, in order (each prints its own lines).
await import('./forward.js');
await import('./predict.js');
await import('./queue.js');
await import('./train.js');
await import('./synth.js');
await import('./harmonic-fit.js');
