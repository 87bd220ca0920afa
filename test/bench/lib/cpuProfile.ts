// A V8 CPU profile of a piece of this process (the same profiler as
// `node --cpu-prof`), saved as a .cpuprofile (open it in Chrome DevTools) and
// summed up as self time per function and per source file, mapped back to the
// sources through the bench bundle's source map. Builtins such as JSON.parse
// count as self time of the function that calls them.
import * as fs from 'fs';
import { Session } from 'node:inspector/promises';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { fileURLToPath } from 'url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export async function profile<T>(fn: () => Promise<T>): Promise<{ value: T; profile: CpuProfile }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  try {
    const value = await fn();
    const { profile: p } = await session.post('Profiler.stop');
    return { value, profile: p as unknown as CpuProfile };
  } finally {
    session.disconnect();
  }
}

export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  share: number;
}

/** Self time per function (name + source file + line) and per source file, largest first. */
export function summarize(p: CpuProfile): { total: number; functions: SelfTime[]; files: SelfTime[] } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fns = new Map<string, SelfTime>();
  const files = new Map<string, SelfTime>();
  const modules = new ModuleMap();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const name = frame.functionName || (frame.url ? '(anonymous)' : '(native)');
    const at = frame.url ? modules.locate(frame.url, frame.lineNumber, frame.columnNumber) : undefined;
    const key = `${name}|${at ? `${at.file}:${at.line}` : ''}`;
    const f = fns.get(key) ?? { name, where: at ? `${at.file}:${at.line}` : '', ms: 0, share: 0 };
    f.ms += us / 1000;
    fns.set(key, f);
    const fileKey = at ? at.file : name.startsWith('(') ? name : '(native)';
    const g = files.get(fileKey) ?? { name: fileKey, where: '', ms: 0, share: 0 };
    g.ms += us / 1000;
    files.set(fileKey, g);
  }
  const sorted = (m: Map<string, SelfTime>): SelfTime[] =>
    [...m.values()].map((x) => ({ ...x, share: total > 0 ? (x.ms * 1000) / total : 0 })).sort((a, b) => b.ms - a.ms);
  return { total: total / 1000, functions: sorted(fns), files: sorted(files) };
}

/** Total time (self + callees) per function name, largest first; a recursive function counts once per stack. */
export function inclusive(p: CpuProfile): { name: string; ms: number }[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totals = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const us = p.timeDeltas[i] ?? 0;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at)?.callFrame.functionName || '(anonymous)';
      if (seen.has(name)) continue;
      seen.add(name);
      totals.set(name, (totals.get(name) ?? 0) + us / 1000);
    }
  });
  return [...totals].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
}

export function writeProfile(file: string, p: CpuProfile): void {
  fs.writeFileSync(file, JSON.stringify(p));
}

/** Bundle position -> source file and line, from the bundle's source map (the dev build writes one). */
class ModuleMap {
  private readonly cache = new Map<string, SourceMap | null>();

  locate(url: string, line: number, column: number): { file: string; line: number } {
    const map = this.mapOf(url);
    const entry = map?.findEntry(line, column);
    if (entry && 'originalSource' in entry && entry.originalSource) {
      return { file: entry.originalSource.replace(/^(?:\.\.\/)+/, '').replace(/^file:\/\/.*?\/(src|test|node_modules)\//, '$1/'), line: entry.originalLine + 1 };
    }
    return { file: url.replace(/^file:\/\/.*\/(node_modules|out)\//, '$1/'), line: line + 1 };
  }

  private mapOf(url: string): SourceMap | null {
    if (this.cache.has(url)) return this.cache.get(url) ?? null;
    let map: SourceMap | null = null;
    try {
      const file = url.startsWith('file:') ? fileURLToPath(url) : url;
      if (file.startsWith('/') && fs.existsSync(`${file}.map`)) map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')) as SourceMapPayload);
    } catch {
      // No usable map: bundle positions stand.
    }
    this.cache.set(url, map);
    return map;
  }
}
