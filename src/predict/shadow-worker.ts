/**
 * Worker thread that finds the shadows of one window at a time for shadow-pass.ts, so that two
 * windows are searched at once while the main thread reads and writes. The cloud mask comes back
 * with the result (the main thread still needs it); the bands are consumed.
 */
import { detectShadows, type ShadowParameters, type ShadowWindow } from '../shadow/index.js';
import { serveRequests } from '../util/worker-pool.js';
import type { DetectedWindow } from './shadow-pass.js';

await serveRequests<{ window: ShadowWindow; parameters: ShadowParameters }, DetectedWindow>(async () => async ({ window, parameters }) => {
  const { shadow, probability, directionSource } = detectShadows(window, parameters);
  return { reply: { shadow, probability, directionSource, cloud: window.cloud }, transfer: [shadow.buffer as ArrayBuffer, probability.buffer as ArrayBuffer, window.cloud.buffer as ArrayBuffer] };
});
