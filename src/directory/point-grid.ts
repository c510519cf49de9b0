import { haversineTerm, metresOfTerm, nearest, type Point } from "./distance";

/**
 * The nearest items to a point without measuring them all. Items' points are put once in a grid of
 * cells over their bounding box (about two points a cell); a query visits cells ring by ring around the
 * point and stops when no ring further out can hold anything as near as the k-th found. Distances are
 * the very haversine terms `nearest` computes, so the answer is `nearest`'s, ties and rounding included.
 * Anything the bounds below do not cover (a point off the globe, a box wider than a hemisphere, an
 * origin far round the globe) is answered by `nearest` itself.
 */
export type PointGrid<T> = {
  items: T[];
  pointsOf: (item: T) => Point[];
  /** Undefined when the grid cannot be used for these items (see above). */
  grid?: Grid;
};

type Grid = {
  rows: number;
  cols: number;
  minLat: number;
  minLon: number;
  cellLat: number;
  cellLon: number;
  /** Cell c holds the points from cellStart[c] to cellStart[c + 1] of `points` and `owners`. */
  cellStart: Int32Array;
  points: Point[];
  owners: Int32Array;
  /** Lowest latitude of the points in rows >= r, highest in rows <= r (likewise for columns). */
  latFloor: Float64Array;
  latCeil: Float64Array;
  lonFloor: Float64Array;
  lonCeil: Float64Array;
  minLonAll: number;
  maxLonAll: number;
  /** The smallest cos(latitude) of all points: a floor for the longitude part of the term. */
  minCos: number;
  /** Per item, the smallest term seen by the current query, and which query saw it. */
  seen: Float64Array;
  stamp: Int32Array;
  query: number;
};

const toRad = Math.PI / 180;
// Keeps the pruning safe from the last-bit rounding of Math.sin and products: a cell is skipped only
// when its floor is clearly above the k-th term.
const MARGIN = 1 + 1e-9;

export function buildPointGrid<T>(items: T[], pointsOf: (item: T) => Point[]): PointGrid<T> {
  const all: { point: Point; owner: number }[] = [];
  items.forEach((item, owner) => {
    for (const point of pointsOf(item)) all.push({ point, owner });
  });
  const usable =
    all.length > 0 &&
    all.every(
      ({ point }) => Number.isFinite(point.lat) && Number.isFinite(point.lon) && Math.abs(point.lat) <= 90,
    );
  if (!usable) return { items, pointsOf };
  let minLat = Number.POSITIVE_INFINITY;
  let maxLat = Number.NEGATIVE_INFINITY;
  let minLon = Number.POSITIVE_INFINITY;
  let maxLon = Number.NEGATIVE_INFINITY;
  let minCos = Number.POSITIVE_INFINITY;
  for (const { point } of all) {
    minLat = Math.min(minLat, point.lat);
    maxLat = Math.max(maxLat, point.lat);
    minLon = Math.min(minLon, point.lon);
    maxLon = Math.max(maxLon, point.lon);
    minCos = Math.min(minCos, Math.cos(point.lat * toRad));
  }
  if (maxLon - minLon > 180) return { items, pointsOf };

  // Cells about square on the ground, about two points each.
  const latExtent = maxLat - minLat;
  const lonExtent = (maxLon - minLon) * Math.max(minCos, 0.01);
  const cells = Math.max(1, Math.ceil(all.length / 2));
  const aspect = latExtent > 0 && lonExtent > 0 ? lonExtent / latExtent : 1;
  const clamp = (value: number) => Math.min(1024, Math.max(1, Math.round(value)));
  const rows = latExtent > 0 ? clamp(Math.sqrt(cells / aspect)) : 1;
  const cols = lonExtent > 0 ? clamp(Math.sqrt(cells * aspect)) : 1;
  const cellLat = latExtent / rows || 1;
  const cellLon = (maxLon - minLon) / cols || 1;
  const rowOf = (lat: number) => Math.min(rows - 1, Math.floor((lat - minLat) / cellLat));
  const colOf = (lon: number) => Math.min(cols - 1, Math.floor((lon - minLon) / cellLon));

  const cellStart = new Int32Array(rows * cols + 1);
  const cellIndex = all.map(({ point }) => rowOf(point.lat) * cols + colOf(point.lon));
  for (const cell of cellIndex) (cellStart[cell + 1] as number)++;
  for (let c = 0; c < rows * cols; c++)
    cellStart[c + 1] = (cellStart[c + 1] as number) + (cellStart[c] as number);
  const fill = cellStart.slice(0, rows * cols);
  const points: Point[] = new Array(all.length);
  const owners = new Int32Array(all.length);
  all.forEach(({ point, owner }, i) => {
    const at = (fill[cellIndex[i] as number] as number)++;
    points[at] = point;
    owners[at] = owner;
  });

  const latFloor = new Float64Array(rows + 1).fill(Number.POSITIVE_INFINITY);
  const latCeil = new Float64Array(rows + 1).fill(Number.NEGATIVE_INFINITY);
  const lonFloor = new Float64Array(cols + 1).fill(Number.POSITIVE_INFINITY);
  const lonCeil = new Float64Array(cols + 1).fill(Number.NEGATIVE_INFINITY);
  for (const { point } of all) {
    const r = rowOf(point.lat);
    const c = colOf(point.lon);
    latFloor[r] = Math.min(latFloor[r] as number, point.lat);
    latCeil[r] = Math.max(latCeil[r] as number, point.lat);
    lonFloor[c] = Math.min(lonFloor[c] as number, point.lon);
    lonCeil[c] = Math.max(lonCeil[c] as number, point.lon);
  }
  for (let r = rows - 2; r >= 0; r--)
    latFloor[r] = Math.min(latFloor[r] as number, latFloor[r + 1] as number);
  for (let r = 1; r < rows; r++) latCeil[r] = Math.max(latCeil[r] as number, latCeil[r - 1] as number);
  for (let c = cols - 2; c >= 0; c--)
    lonFloor[c] = Math.min(lonFloor[c] as number, lonFloor[c + 1] as number);
  for (let c = 1; c < cols; c++) lonCeil[c] = Math.max(lonCeil[c] as number, lonCeil[c - 1] as number);

  return {
    items,
    pointsOf,
    grid: {
      rows,
      cols,
      minLat,
      minLon,
      cellLat,
      cellLon,
      cellStart,
      points,
      owners,
      latFloor,
      latCeil,
      lonFloor,
      lonCeil,
      minLonAll: minLon,
      maxLonAll: maxLon,
      minCos,
      seen: new Float64Array(items.length),
      stamp: new Int32Array(items.length),
      query: 0,
    },
  };
}

/** The squared sine of half an angle in degrees, as the haversine term computes it. */
function sinSquared(degrees: number): number {
  const s = Math.sin((degrees * toRad) / 2);
  return s * s;
}

/** The k items nearest to `origin`, nearest first, equal distances in the items' order: `nearest`'s answer. */
export function nearestInGrid<T>(
  index: PointGrid<T>,
  origin: Point,
  k: number,
): { item: T; metres: number }[] {
  const { grid } = index;
  const fits =
    grid !== undefined &&
    Math.abs(origin.lat) <= 90 &&
    origin.lon - grid.minLonAll <= 180 &&
    grid.maxLonAll - origin.lon <= 180;
  if (!fits || k <= 0) return k <= 0 ? [] : nearest(index.items, origin, k, index.pointsOf);

  const term = haversineTerm(origin);
  const cosOrigin = Math.cos(origin.lat * toRad);
  const { rows, cols, cellStart, points, owners, seen, stamp } = grid;
  grid.query = (grid.query + 1) | 0 || 1;
  const query = grid.query;
  const originRow = Math.min(rows - 1, Math.max(0, Math.floor((origin.lat - grid.minLat) / grid.cellLat)));
  const originCol = Math.min(cols - 1, Math.max(0, Math.floor((origin.lon - grid.minLon) / grid.cellLon)));
  const candidates: number[] = [];

  const visit = (row: number, col: number) => {
    if (row < 0 || row >= rows || col < 0 || col >= cols) return;
    const cell = row * cols + col;
    for (let i = cellStart[cell] as number; i < (cellStart[cell + 1] as number); i++) {
      const owner = owners[i] as number;
      const h = term(points[i] as Point);
      if (stamp[owner] !== query) {
        stamp[owner] = query;
        seen[owner] = h;
        candidates.push(owner);
      } else seen[owner] = Math.min(seen[owner] as number, h);
    }
  };

  // A floor for the term of every point in a cell at ring distance d or more from the origin's cell:
  // such a cell is d rows or d columns away, so its latitude part or its longitude part is at least
  // that of the nearest row or column that far out.
  const ringFloor = (d: number) => {
    const up = originRow + d < rows ? (grid.latFloor[originRow + d] as number) - origin.lat : Infinity;
    const down = originRow - d >= 0 ? origin.lat - (grid.latCeil[originRow - d] as number) : Infinity;
    const east = originCol + d < cols ? (grid.lonFloor[originCol + d] as number) - origin.lon : Infinity;
    const west = originCol - d >= 0 ? origin.lon - (grid.lonCeil[originCol - d] as number) : Infinity;
    const latPart = Math.min(
      up > 0 ? sinSquared(Math.min(up, 180)) : 0,
      down > 0 ? sinSquared(Math.min(down, 180)) : 0,
    );
    const lonGap = Math.min(east > 0 ? east : 0, west > 0 ? west : 0);
    const lonPart = lonGap > 0 ? cosOrigin * grid.minCos * sinSquared(Math.min(lonGap, 180)) : 0;
    return Math.min(latPart, lonPart);
  };

  // The k-th smallest term so far: never below the final one, as terms only fall and items only join.
  const kth = () => {
    const terms = candidates.map((owner) => seen[owner] as number).sort((a, b) => a - b);
    return terms[k - 1] as number;
  };

  const maxRing = Math.max(rows, cols);
  for (let d = 0; d <= maxRing; d++) {
    if (d > 0 && candidates.length >= k) {
      const floor = ringFloor(d);
      if (floor > 0 && floor > kth() * MARGIN) break;
    }
    if (d === 0) visit(originRow, originCol);
    else {
      for (let col = originCol - d; col <= originCol + d; col++) {
        visit(originRow - d, col);
        visit(originRow + d, col);
      }
      for (let row = originRow - d + 1; row <= originRow + d - 1; row++) {
        visit(row, originCol - d);
        visit(row, originCol + d);
      }
    }
  }

  return candidates
    .map((owner) => ({ owner, h: seen[owner] as number }))
    .sort((a, b) => a.h - b.h || a.owner - b.owner)
    .slice(0, k)
    .map(({ owner, h }) => ({ item: index.items[owner] as T, metres: metresOfTerm(h) }));
}
