// Draws the extension's icon, media/icon.png (128 x 128, RGBA): a stack of three image slices (a
// series, the front one a head in cross-section) sending on the air, on a rounded square of medical blue. The shapes are signed distance
// functions sampled 4 x 4 per pixel, so the same script always writes the same bytes.
//
// Usage: node scripts/make-icon.mjs            writes media/icon.png
//        node scripts/make-icon.mjs --check    exits 1 when media/icon.png is not what this draws
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SAMPLES = 4;
const ICON = join(dirname(fileURLToPath(import.meta.url)), '..', 'media', 'icon.png');

// --- shapes: signed distance in pixels, negative inside ---------------------------------------
const roundedRect = (cx, cy, hw, hh, r) => (x, y) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const ellipse = (cx, cy, rx, ry) => (x, y) => {
  // Scaled circle distance: exact enough for these near-round shapes.
  const k = Math.hypot((x - cx) / rx, (y - cy) / ry);
  return (k - 1) * Math.min(rx, ry);
};
/** A ring of radius r and width w around (cx, cy), kept between two angles (radians, y down). */
const arc = (cx, cy, r, w, from, to) => (x, y) => {
  const ring = Math.abs(Math.hypot(x - cx, y - cy) - r) - w / 2;
  const a = Math.atan2(y - cy, x - cx);
  if (a >= from && a <= to) return ring;
  // Round caps at both ends.
  const cap = (t) => Math.hypot(x - (cx + r * Math.cos(t)), y - (cy + r * Math.sin(t))) - w / 2;
  return Math.min(cap(from), cap(to));
};

// --- the picture, back to front: [shape, colour (r, g, b), opacity] ----------------------------
const mix = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));
const TOP = [30, 120, 160];
const BOTTOM = [12, 52, 82];
const background = roundedRect(64, 64, 62, 62, 24);

const slice = (cx, cy, inset = 0) => roundedRect(cx, cy, 25 - inset, 25 - inset, 6 - inset / 2);
const ring = (cx, cy, rx, ry, w) => {
  const outer = ellipse(cx, cy, rx, ry);
  return (x, y) => Math.abs(outer(x, y) + w / 2) - w / 2;
};
const layers = [
  [slice(58, 70), [150, 200, 220], 0.55],
  [slice(50, 78), [190, 225, 238], 0.75],
  [slice(42, 86), [236, 246, 250], 1],
  // The front slice is an image: dark field, a head in cross-section (skull ring, brain, midline).
  [slice(42, 86, 3.5), [10, 26, 38], 1],
  [ellipse(42, 86, 13, 15.5), [112, 140, 156], 1],
  [roundedRect(42, 86, 0.8, 12, 0.8), [58, 84, 100], 1],
  [ring(42, 86, 14.5, 17, 3.5), [245, 250, 252], 1],
  // Waves leaving the stack's top right corner.
  [ellipse(84, 44, 5.5, 5.5), [255, 255, 255], 1],
  [arc(84, 44, 15, 6, -Math.PI * 0.5, 0), [255, 255, 255], 1],
  [arc(84, 44, 27, 6, -Math.PI * 0.5, 0), [255, 255, 255], 0.8],
];

/** Coverage of a shape over one pixel, from SAMPLES x SAMPLES sub-samples. */
function coverage(shape, px, py) {
  let inside = 0;
  for (let sy = 0; sy < SAMPLES; sy++) {
    for (let sx = 0; sx < SAMPLES; sx++) {
      if (shape(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES) <= 0) inside++;
    }
  }
  return inside / (SAMPLES * SAMPLES);
}

function drawPixels() {
  const rgba = Buffer.alloc(SIZE * SIZE * 4);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const alpha = coverage(background, x, y);
      if (alpha === 0) continue;
      let colour = mix(TOP, BOTTOM, y / (SIZE - 1));
      for (const [shape, rgb, opacity] of layers) {
        const a = coverage(shape, x, y) * opacity;
        if (a > 0) colour = mix(colour, rgb, a);
      }
      rgba.set([...colour, Math.round(alpha * 255)], (y * SIZE + x) * 4);
    }
  }
  return rgba;
}

// --- PNG (PNG spec: signature, IHDR, IDAT with filter type 0 per row, IEND) --------------------
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export function renderIcon() {
  const rgba = drawPixels();
  const rows = Buffer.alloc(SIZE * (SIZE * 4 + 1));
  for (let y = 0; y < SIZE; y++) rgba.copy(rows, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA, deflate, no filter choice, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const png = renderIcon();
  if (process.argv.includes('--check')) {
    let current;
    try {
      current = readFileSync(ICON);
    } catch {
      current = undefined;
    }
    if (!current || !current.equals(png)) {
      console.error('media/icon.png is not what scripts/make-icon.mjs draws: run node scripts/make-icon.mjs and commit the result.');
      process.exit(1);
    }
  } else {
    writeFileSync(ICON, png);
    console.log(`wrote ${ICON} (${png.length} bytes)`);
  }
}
