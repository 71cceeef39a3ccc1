/**
 * Sun azimuth (degrees clockwise from north) and elevation at a UTC time and place, by the NOAA
 * low-precision formulas (about 0.5 degree): for scenes whose metadata lack sun angles but whose
 * date, overpass time and location are known (e.g. Landsat near 10:30 local solar time).
 */
export function solarPosition(utc: Date, latitude: number, longitude: number): { azimuth: number; elevation: number } {
  const start = Date.UTC(utc.getUTCFullYear(), 0, 1);
  const dayOfYear = Math.floor((utc.getTime() - start) / 86_400_000) + 1;
  const hours = utc.getUTCHours() + utc.getUTCMinutes() / 60;
  const g = ((2 * Math.PI) / 365) * (dayOfYear - 1 + (hours - 12) / 24);
  const equationOfTime = 229.18 * (0.000075 + 0.001868 * Math.cos(g) - 0.032077 * Math.sin(g) - 0.014615 * Math.cos(2 * g) - 0.040849 * Math.sin(2 * g));
  const declination =
    0.006918 - 0.399912 * Math.cos(g) + 0.070257 * Math.sin(g) - 0.006758 * Math.cos(2 * g) + 0.000907 * Math.sin(2 * g) - 0.002697 * Math.cos(3 * g) + 0.00148 * Math.sin(3 * g);
  const trueSolarMinutes = hours * 60 + equationOfTime + 4 * longitude;
  const hourAngle = ((trueSolarMinutes / 4 - 180) * Math.PI) / 180;
  const lat = (latitude * Math.PI) / 180;
  const cosZenith = Math.sin(lat) * Math.sin(declination) + Math.cos(lat) * Math.cos(declination) * Math.cos(hourAngle);
  const zenith = Math.acos(Math.max(-1, Math.min(1, cosZenith)));
  const azimuth = (Math.atan2(Math.sin(hourAngle), Math.cos(hourAngle) * Math.sin(lat) - Math.tan(declination) * Math.cos(lat)) * 180) / Math.PI + 180;
  return { azimuth: azimuth % 360, elevation: 90 - (zenith * 180) / Math.PI };
}
