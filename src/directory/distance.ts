export type Point = { lat: number; lon: number };

const EARTH_RADIUS_M = 6_371_000;

/** Great-circle distance in metres (haversine): plenty for "which site is closer" within a city. */
export function distanceMetres(a: Point, b: Point): number {
  const toRad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * toRad;
  const dLon = (b.lon - a.lon) * toRad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * toRad) * Math.cos(b.lat * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The haversine term of the distance from `origin`, which grows with the distance: items are ranked by
 * it, so the square root, the arcsine and the origin's cosine are paid once per kept item (or once in
 * all), not once per site. The nearest-site index computes the very same numbers (see point-grid.ts).
 */
export function haversineTerm(origin: Point): (point: Point) => number {
  const toRad = Math.PI / 180;
  const cosOrigin = Math.cos(origin.lat * toRad);
  return (point: Point) => {
    const sinLat = Math.sin(((point.lat - origin.lat) * toRad) / 2);
    const sinLon = Math.sin(((point.lon - origin.lon) * toRad) / 2);
    return sinLat * sinLat + cosOrigin * Math.cos(point.lat * toRad) * sinLon * sinLon;
  };
}

export function metresOfTerm(h: number): number {
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The k items nearest to `origin`, nearest first; on equal distances the earlier item comes first. A
 * plain scan keeping the k best; a catalog answers through its grid (point-grid.ts), which gives the
 * same answer without measuring every site.
 */
export function nearest<T>(
  items: T[],
  origin: Point,
  k: number,
  pointsOf: (item: T) => Point[],
): { item: T; metres: number }[] {
  const term = haversineTerm(origin);
  const best: { item: T; h: number }[] = [];
  for (const item of items) {
    const points = pointsOf(item);
    if (points.length === 0) continue;
    let h = Number.POSITIVE_INFINITY;
    for (const point of points) h = Math.min(h, term(point));
    if (best.length < k || h < (best[best.length - 1] as { h: number }).h) {
      let index = best.length;
      while (index > 0 && (best[index - 1] as { h: number }).h > h) index--;
      best.splice(index, 0, { item, h });
      if (best.length > k) best.pop();
    }
  }
  return best.map(({ item, h }) => ({ item, metres: metresOfTerm(h) }));
}
