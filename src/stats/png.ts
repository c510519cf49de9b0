import { deflateSync } from "node:zlib";

/**
 * A minimal PNG encoder (8-bit RGB, no interlace), so a chart needs no image library: each row is
 * written with filter 0 ("none"), the whole is deflated by node:zlib, and each chunk carries its CRC-32.
 */

/** An RGB pixel buffer, three bytes per pixel, rows top to bottom. */
export type Raster = { width: number; height: number; pixels: Uint8Array };
export type Colour = readonly [number, number, number];

export function createRaster(width: number, height: number, background: Colour): Raster {
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) pixels.set(background, i * 3);
  return { width, height, pixels };
}

/** Fills a rectangle, clipped to the raster. */
export function fillRect(raster: Raster, x: number, y: number, w: number, h: number, colour: Colour): void {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(raster.width, Math.round(x + w));
  const y1 = Math.min(raster.height, Math.round(y + h));
  for (let row = y0; row < y1; row++)
    for (let col = x0; col < x1; col++) raster.pixels.set(colour, (row * raster.width + col) * 3);
}

export function pixelAt(raster: Raster, x: number, y: number): Colour {
  const i = (y * raster.width + x) * 3;
  return [raster.pixels[i] ?? 0, raster.pixels[i + 1] ?? 0, raster.pixels[i + 2] ?? 0];
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

export function encodePng(raster: Raster): Buffer {
  const { width, height, pixels } = raster;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // colour type: RGB
  header[10] = 0; // compression: deflate
  header[11] = 0; // filter method
  header[12] = 0; // no interlace
  const stride = width * 3;
  const scanlines = Buffer.alloc((stride + 1) * height);
  for (let row = 0; row < height; row++) {
    scanlines[row * (stride + 1)] = 0;
    scanlines.set(pixels.subarray(row * stride, (row + 1) * stride), row * (stride + 1) + 1);
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(scanlines)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
