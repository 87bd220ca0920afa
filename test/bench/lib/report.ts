// The benchmark's result rows, the printed table and its JSON copy. A row
// always carries a measured figure or "n/a: <reason>": never a guess.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export type Verdict = 'PASS' | 'FAIL' | 'INFO' | 'N/A';

export interface Row {
  section: string;
  name: string;
  /** The figure as printed (with its unit), or "n/a: <reason>". */
  value: string;
  /** The figure as a number, when there is one (for the JSON copy). */
  numeric?: number;
  target: string;
  verdict: Verdict;
  /** How it was measured, or why it is missing. */
  note?: string;
}

/** Compares `value` with `limit`; `better` says which side passes. */
export function judged(
  section: string,
  name: string,
  value: number,
  unit: string,
  limit: number,
  better: 'lower' | 'higher',
  note?: string,
  digits = 1,
): Row {
  const pass = better === 'lower' ? value <= limit : value >= limit;
  return {
    section,
    name,
    value: `${fmt(value, digits)}${unit ? ` ${unit}` : ''}`,
    numeric: value,
    target: `${better === 'lower' ? '<=' : '>='} ${fmt(limit, digits)}${unit ? ` ${unit}` : ''}`,
    verdict: pass ? 'PASS' : 'FAIL',
    note,
  };
}

export function info(section: string, name: string, value: string, numeric?: number, note?: string): Row {
  return { section, name, value, numeric, target: '-', verdict: 'INFO', note };
}

/** A yes/no requirement (e.g. "final view exact"). */
export function check(section: string, name: string, ok: boolean, note?: string, target = 'yes'): Row {
  return { section, name, value: ok ? 'yes' : 'no', target, verdict: ok ? 'PASS' : 'FAIL', note };
}

export function missing(section: string, name: string, reason: string, target = '-'): Row {
  return { section, name, value: `n/a: ${oneLine(reason)}`, target, verdict: 'N/A' };
}

export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) >= 100) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function kb(bytes: number): number {
  return Math.round((bytes / 1024) * 10) / 10;
}

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function oneLine(text: string, max = 160): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function errorText(e: unknown): string {
  return oneLine(e instanceof Error ? e.message : String(e));
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  /** 1-minute load average when this was read (other work on the machine skews every figure). */
  load1: number;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    load1: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

/** The table as Markdown (the same text goes to the console and to the README). */
export function renderTable(rows: Row[]): string {
  const header = ['Section', 'Measurement', 'Figure', 'Target', 'Result'];
  const lines = [header, header.map(() => '---')];
  for (const r of rows) lines.push([r.section, r.name, r.value, r.target, r.verdict].map(cell));
  return lines.map((l) => `| ${l.join(' | ')} |`).join('\n');
}

export function renderNotes(rows: Row[]): string {
  const notes = rows.filter((r) => r.note);
  return notes.map((r) => `- ${r.section} / ${r.name}: ${oneLine(r.note ?? '', 400)}`).join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function writeJson(file: string, payload: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
}
