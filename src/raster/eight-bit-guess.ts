import type { SensorBand, SensorProfile } from './sensors.js';
import type { SampleType } from './types.js';

/** Brightest reflectance a bright cloud must reach at least; a scaling whose whole range stays below it cannot show one. */
const DARKEST_PLAUSIBLE_MAXIMUM = 0.2;

/**
 * A note when 8-bit data is read with a reflectance profile made for another data type: int8
 * always (no product stores reflectance so), uint8 when even DN 255 scales below any cloud
 * (e.g. a 16-bit profile's x1e-4 gives at most 0.0255, every pixel "clear"). Null otherwise.
 */
export function eightBitScalingGuess(sampleType: SampleType, profile: SensorProfile, bands: SensorBand[]): string | null {
  if (profile.units !== 'reflectance') return null;
  const scale = bands[0]?.scale ?? profile.bands[0]?.scale ?? '?';
  if (sampleType === 'int8') return `int8 data scaled as ${profile.id} (x${scale}): the profile is for its own product's data type; check --sensor`;
  if (sampleType !== 'uint8' || bands.length === 0) return null;
  const brightest = Math.max(...bands.map((b) => 255 * b.scale + b.offset));
  if (brightest >= DARKEST_PLAUSIBLE_MAXIMUM) return null;
  return `uint8 data scaled as ${profile.id} (x${scale}): DN 255 is only ${brightest.toPrecision(3)} reflectance, too dark for any cloud; the profile is for its own product's data type; check --sensor`;
}
