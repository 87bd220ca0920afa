// Real PNG images for the image apps, made with node:zlib only: a landscape
// (sky gradient, sun, two mountain ridges, ground) whose colours and shapes
// come from a hash of the prompt, so the same prompt gives the same picture.
import { deflateSync } from 'node:zlib';
import { createRng } from './rng';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** Encodes 8-bit RGB pixels (row-major, 3 bytes a pixel) as a PNG file. */
export function encodePng(width: number, height: number, rgb: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    rgb.copy(raw, y * (width * 3 + 1) + 1, y * width * 3, (y + 1) * width * 3);
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 6 })), chunk('IEND', Buffer.alloc(0))]);
}

type Rgb = [number, number, number];

function hsl(h: number, s: number, l: number): Rgb {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): number => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** A landscape picture for `seed` (a prompt hash), `width`×`height` pixels. */
export function renderLandscape(seed: number, width: number, height: number): Buffer {
  const rng = createRng(seed);
  const hue = rng() * 360;
  const skyTop = hsl(hue, 0.6, 0.35);
  const skyBottom = hsl((hue + 40) % 360, 0.8, 0.78);
  const sun = hsl(40 + rng() * 20, 0.95, 0.78);
  const far = hsl((hue + 200) % 360, 0.25, 0.45);
  const near = hsl((hue + 150) % 360, 0.35, 0.25);
  const ground = hsl((hue + 90) % 360, 0.4, 0.3);
  const sunX = (0.2 + rng() * 0.6) * width;
  const sunY = (0.15 + rng() * 0.2) * height;
  const sunR = Math.max(4, Math.min(width, height) * (0.06 + rng() * 0.06));
  const p = [rng() * 6, rng() * 6, rng() * 6, rng() * 6];
  const ridge = (x: number, base: number, amp: number, phase: number, freq: number): number =>
    height * (base - amp * (0.6 * Math.sin((x / width) * Math.PI * freq + phase) + 0.4 * Math.sin((x / width) * Math.PI * freq * 2.7 + phase * 1.3)));
  const rgb = Buffer.alloc(width * height * 3);
  for (let x = 0; x < width; x++) {
    const farY = ridge(x, 0.55, 0.12, p[0], 2 + p[1] / 3);
    const nearY = ridge(x, 0.72, 0.1, p[2], 3 + p[3] / 3);
    const groundY = height * 0.86;
    for (let y = 0; y < height; y++) {
      let c: Rgb;
      if (y >= groundY) c = mix(ground, [0, 0, 0], ((y - groundY) / (height - groundY)) * 0.4);
      else if (y >= nearY) c = mix(near, ground, (y - nearY) / Math.max(1, groundY - nearY) * 0.5);
      else if (y >= farY) c = mix(far, near, (y - farY) / Math.max(1, nearY - farY) * 0.3);
      else {
        c = mix(skyTop, skyBottom, y / height);
        const d = Math.hypot(x - sunX, y - sunY);
        if (d < sunR) c = sun;
        else if (d < sunR * 2.2) c = mix(sun, c, (d - sunR) / (sunR * 1.2));
      }
      const i = (y * width + x) * 3;
      rgb[i] = c[0];
      rgb[i + 1] = c[1];
      rgb[i + 2] = c[2];
    }
  }
  return encodePng(width, height, rgb);
}
