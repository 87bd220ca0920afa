// The simulated apps a sandbox flow's nodes run. Each gets its resolved input
// and a context (scaled and real sleeps, seeded randomness, logs, progress)
// and returns its output or throws to fail the task.
import type { AppRef } from '../api/models';
import { LogType } from '../api/models';
import { hashParts } from './rng';

export interface AppContext {
  nodeId: string;
  nodeTitle: string;
  baseUrl: string;
  /** Sleeps `ms` times the sandbox speed. */
  sleep(ms: number): Promise<void>;
  /** Sleeps real milliseconds (the delay app). */
  sleepReal(ms: number): Promise<void>;
  /** Seeded, shared by the sandbox. */
  random(): number;
  log(text: string, opts?: { type?: LogType; base64?: boolean }): void;
  /** Publishes a partial node output (and run output); resolves after the next macrotask. */
  progress(value: Record<string, unknown>): Promise<void>;
}

export interface SandboxApp {
  ref: Required<Pick<AppRef, 'id' | 'namespace' | 'name' | 'title'>>;
  run(fn: string, input: Record<string, unknown>, ctx: AppContext): Promise<Record<string, unknown>>;
}

const MAX_IMAGE_SIDE = 2048;
const IMAGE_PATH = /\/_sandbox\/images\/([0-9a-f]{8})-(\d+)x(\d+)\.png$/;

function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? fallback : JSON.stringify(v);
}

function num(v: unknown, fallback: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : fallback;
}

function clampSide(n: number): number {
  return Math.max(8, Math.min(MAX_IMAGE_SIDE, Math.round(n)));
}

/** The URL the sandbox serves a generated picture at. */
export function imageUrl(baseUrl: string, hash: number, width: number, height: number): string {
  return `${baseUrl}/_sandbox/images/${hash.toString(16).padStart(8, '0')}-${clampSide(width)}x${clampSide(height)}.png`;
}

/** Parses an image path of ours: {hash, width, height}. */
export function parseImagePath(path: string): { hash: number; width: number; height: number } | undefined {
  const m = IMAGE_PATH.exec(path);
  if (!m) return undefined;
  const width = Number(m[2]);
  const height = Number(m[3]);
  if (width < 8 || height < 8 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) return undefined;
  return { hash: parseInt(m[1], 16), width, height };
}

function app(name: string, title: string, run: SandboxApp['run']): SandboxApp {
  return { ref: { id: `sandbox/${name}`, namespace: 'sandbox', name, title }, run };
}

const STYLE_WORDS: Record<string, string> = {
  photo: 'photorealistic, golden hour light, 35mm',
  watercolor: 'soft watercolor washes, paper texture',
  oil: 'thick oil paint, visible brush strokes',
  'pixel-art': '16-bit pixel art, limited palette',
};

/** Pure outputs, shared by the live apps and by the seeded historical runs. */
export function computeOutput(appId: string, fn: string, input: Record<string, unknown>, baseUrl: string): Record<string, unknown> {
  switch (appId) {
    case 'sandbox/text-transform': {
      const text = str(input.text);
      if (fn === 'upper') return { text: text.toUpperCase() };
      if (fn === 'lower') return { text: text.toLowerCase() };
      const style = STYLE_WORDS[str(input.style)] ?? 'highly detailed, dramatic light';
      return { text: `${text}, ${style}, wide angle, crisp detail` };
    }
    case 'sandbox/image-generator': {
      const width = clampSide(num(input.width, 512));
      const height = clampSide(num(input.height, 320));
      return { image: imageUrl(baseUrl, hashParts(str(input.prompt)), width, height), width, height };
    }
    case 'sandbox/upscale': {
      const source = str(input.image);
      const factor = Math.max(1, Math.min(4, num(input.factor, 2)));
      const parsed = parseImagePath(source);
      const hash = parsed ? parsed.hash : hashParts(source);
      const width = clampSide((parsed ? parsed.width : 512) * factor);
      const height = clampSide((parsed ? parsed.height : 320) * factor);
      return { image: imageUrl(baseUrl, hash, width, height), width, height };
    }
    case 'sandbox/delay':
      return { waited: Math.max(0, num(input.seconds, 0)) };
    case 'sandbox/firehose': {
      const total = Math.max(1, Math.floor(num(input.updates, 20000)));
      return { progress: total, total };
    }
    default:
      return { ...input };
  }
}

/** Simulated work time of each app at speed 1, in ms. */
const WORK_MS: Record<string, number> = {
  'sandbox/echo': 600,
  'sandbox/text-transform': 1200,
  'sandbox/image-generator': 2500,
  'sandbox/upscale': 1800,
  'sandbox/random-failure': 900,
};

const simple = (name: string, title: string): SandboxApp =>
  app(name, title, async (fn, input, ctx) => {
    await ctx.sleep(WORK_MS[`sandbox/${name}`] ?? 800);
    const out = computeOutput(`sandbox/${name}`, fn, input, ctx.baseUrl);
    ctx.log(`${title} produced ${Object.keys(out).join(', ')}\n`, { type: LogType.Run, base64: true });
    return out;
  });

export const SANDBOX_APPS: Record<string, SandboxApp> = {
  'sandbox/echo': simple('echo', 'Echo'),
  'sandbox/text-transform': simple('text-transform', 'Text transform'),
  'sandbox/image-generator': simple('image-generator', 'Image generator'),
  'sandbox/upscale': simple('upscale', 'Upscale'),
  'sandbox/delay': app('delay', 'Delay', async (_fn, input, ctx) => {
    const seconds = Math.max(0, num(input.seconds, 0));
    ctx.log(`Waiting ${seconds} s\n`, { type: LogType.Run });
    await ctx.sleepReal(seconds * 1000);
    return { waited: seconds };
  }),
  'sandbox/random-failure': app('random-failure', 'Random failure', async (_fn, input, ctx) => {
    await ctx.sleep(WORK_MS['sandbox/random-failure']);
    const p = Math.max(0, Math.min(1, num(input.probability, 0.5)));
    const roll = ctx.random();
    if (roll < p) {
      const reason = str(input.reason, 'simulated failure');
      ctx.log(`Failing on purpose: ${reason}\n`, { type: LogType.Run, base64: true });
      throw new Error(`${ctx.nodeTitle} (node "${ctx.nodeId}") failed: ${reason}`);
    }
    return { passed: true, roll: Math.round(roll * 1000) / 1000 };
  }),
  'sandbox/firehose': app('firehose', 'Firehose', async (_fn, input, ctx) => {
    const total = Math.max(1, Math.floor(num(input.updates, 20000)));
    for (let i = 1; i <= total; i++) await ctx.progress({ progress: i, total });
    return { progress: total, total };
  }),
};

export function findApp(appId: string | undefined): SandboxApp {
  return SANDBOX_APPS[appId ?? ''] ?? SANDBOX_APPS['sandbox/echo'];
}
