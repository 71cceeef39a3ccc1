export { detectShadows, usableSun } from './detect-shadows.js';
export { defaultShadowParameters, type NamedBand, type ShadowParameters, type ShadowResult, type ShadowWindow, type SunAngles } from './shadow-types.js';
