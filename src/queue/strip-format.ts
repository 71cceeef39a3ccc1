import type { RowBand } from './payload.js';

/**
 * A strip file of a split scene: the band's probability rows in the output format (row-major,
 * host byte order: a cluster mixing big- and little-endian machines is not supported), then
 * the band's mask rows before dilation (uint8). The assembler checks the exact size.
 */
export function bytesPerProbability(format: 'uint8' | 'float32'): number {
  return format === 'uint8' ? 1 : 4;
}

export function stripByteLength(band: RowBand, width: number, format: 'uint8' | 'float32'): number {
  const pixels = (band.end - band.start) * width;
  return pixels * bytesPerProbability(format) + pixels;
}
