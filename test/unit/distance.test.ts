import { describe, expect, it } from "vitest";
import { distanceMetres, nearest } from "../../src/directory/distance";

describe("distance", () => {
  it("measures Berri-UQAM to Verdun as about 6.5 km", () => {
    const metres = distanceMetres({ lat: 45.5152, lon: -73.561 }, { lat: 45.4578, lon: -73.5697 });
    expect(metres).toBeGreaterThan(6_300);
    expect(metres).toBeLessThan(6_500);
  });

  it("keeps the k nearest, nearest first, using the closest of several stops", () => {
    const items = [
      { id: "far", points: [{ lat: 45.6, lon: -73.6 }] },
      { id: "near", points: [{ lat: 45.5001, lon: -73.5 }] },
      {
        id: "van",
        points: [
          { lat: 45.7, lon: -73.7 },
          { lat: 45.501, lon: -73.5 },
        ],
      },
      { id: "nowhere", points: [] },
    ];
    const result = nearest(items, { lat: 45.5, lon: -73.5 }, 2, (item) => item.points);
    expect(result.map((r) => r.item.id)).toEqual(["near", "van"]);
    expect(result[0]?.metres).toBeLessThan(20);
  });
});
