import { inflateSync } from "node:zlib";
import { expect } from "vitest";
import { crc32 } from "../../src/stats/png";

/** A PNG's chunks, each checked against its CRC. */
function chunksOf(png: Buffer): Array<{ type: string; data: Buffer }> {
  const chunks: Array<{ type: string; data: Buffer }> = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString("ascii");
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    chunks.push({ type, data });
    at += 12 + length;
  }
  return chunks;
}

/** Decodes the PNGs this project writes (8-bit RGB, filter 0 on every row) into rows of pixels. */
export function decodePng(png: Buffer): {
  width: number;
  height: number;
  pixel(x: number, y: number): number[];
} {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks = chunksOf(png);
  expect(chunks.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
  const header = chunks[0]?.data as Buffer;
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  expect([...header.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
  const raw = inflateSync(chunks[1]?.data as Buffer);
  expect(raw.length).toBe((width * 3 + 1) * height);
  for (let row = 0; row < height; row++) expect(raw[row * (width * 3 + 1)]).toBe(0);
  return {
    width,
    height,
    pixel: (x, y) => [...raw.subarray(y * (width * 3 + 1) + 1 + x * 3, y * (width * 3 + 1) + 4 + x * 3)],
  };
}
