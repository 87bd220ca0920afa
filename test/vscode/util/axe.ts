// An axe-core audit of a visible webview, run in its inner frame as the page's
// own script would see it. axe's source goes in through the workbench driver
// (Playwright evaluates it over the DevTools protocol, which the webview's CSP
// does not govern), so the production CSP stays as strict as it ships.
import { readFileSync } from 'node:fs';
import * as wb from './workbench';

/** WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

/** One rule that failed: how bad, on how many elements, and the first of them. */
export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  count: number;
  target: string;
  /** axe's own words for the first element (e.g. the contrast ratio it measured). */
  summary: string;
}

export interface AxeReport {
  violations: AxeFinding[];
  /** How many rules passed and how many elements axe could not decide (colour over images, …). */
  passes: number;
  incomplete: number;
}

let axeSource: string | undefined;

function source(): string {
  return (axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
}

const isReport = (v: unknown): v is AxeReport =>
  typeof v === 'object' && v !== null && Array.isArray((v as AxeReport).violations);

/** axe.run over `context` (an axe context expression), WCAG 2 A and AA, its violations as plain data. */
const runAxe = (context: string): string => `async () => {
  const r = await window.axe.run(${context}, {
    runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_AA_TAGS)} },
    resultTypes: ['violations'],
  });
  return {
    violations: r.violations.map((v) => ({
      id: v.id,
      impact: v.impact || 'unknown',
      help: v.help,
      count: v.nodes.length,
      target: String((v.nodes[0] && v.nodes[0].target.join(' ')) || ''),
      summary: String((v.nodes[0] && v.nodes[0].failureSummary) || '').replace(/\\s+/g, ' ').slice(0, 300),
    })),
    passes: r.passes.length,
    incomplete: r.incomplete.length,
  };
}`;

/** Audits the webview (default: the first visible one) against WCAG 2 A and AA. */
export async function auditWebview(opts: wb.WebviewOptions = {}): Promise<AxeReport> {
  // Once per page: a re-rendered panel keeps its frame, a new panel gets a new one.
  const loaded = await wb.frameEvaluate(`typeof window.axe === 'object'`, opts);
  if (loaded !== true) await wb.frameEvaluate(`() => { ${source()}\n; return typeof window.axe; }`, opts);
  const result = await wb.frameEvaluate(runAxe('document'), { timeoutMs: 60_000, ...opts });
  if (!isReport(result)) throw new Error(`the axe audit gave no report: ${JSON.stringify(result)}`);
  return result;
}

/** A webview's document as rendered (markup, styles, theme variables), for auditWebviewCopies. */
export async function webviewDocument(opts: wb.WebviewOptions = {}): Promise<string> {
  const html = await wb.frameEvaluate('document.documentElement.outerHTML', opts);
  if (typeof html !== 'string') throw new Error('the webview gave no document');
  return html;
}

/**
 * Audits what `selector` shows in webviews whose own scripts are off (axe cannot run there): the
 * documents they showed (webviewDocument), their bodies side by side in one throwaway page of the
 * same browser under the first one's head (styles, theme variables). Only `selector` is judged:
 * the document around it is VS Code's, not ours. The copy drops the CSP, which would stop axe.
 */
export async function auditWebviewCopies(documents: readonly string[], selector: string): Promise<AxeReport> {
  const bodies = documents.map((d) => /<body[^>]*>([\s\S]*)<\/body>/i.exec(d)?.[1] ?? '');
  const first = (documents[0] ?? '').replace(/<meta[^>]+Content-Security-Policy[^>]*>/i, '');
  // Side by side, not stacked: each picture is fixed in the middle of its own webview.
  const layout = `<style>${selector} { position: static !important; transform: none !important; display: block; margin: 8px; }</style>`;
  const copy = `<!DOCTYPE html>${first.replace(/<\/head>/i, `${layout}</head>`).replace(/<body([^>]*)>[\s\S]*<\/body>/i, (_m, attrs: string) => `<body${attrs}>${bodies.map((b) => `<section>${b}</section>`).join('')}</body>`)}`;
  const result = await wb.scratchEvaluate(copy, runAxe(`{ include: [[${JSON.stringify(selector)}]] }`), { prelude: `() => { ${source()}\n; return typeof window.axe; }`, timeoutMs: 60_000 });
  if (!isReport(result)) throw new Error(`the axe audit gave no report: ${JSON.stringify(result)}`);
  return result;
}

/** The findings as lines for the test output: id, impact, count, first target, axe's words. */
export function describeFindings(findings: readonly AxeFinding[]): string {
  if (!findings.length) return '      (none)';
  return findings.map((f) => `      ${f.id} [${f.impact}] ×${f.count} at ${f.target}: ${f.help}. ${f.summary}`).join('\n');
}

/** The findings that fail the audit: serious or critical. */
export function blocking(findings: readonly AxeFinding[]): AxeFinding[] {
  return findings.filter((f) => f.impact === 'serious' || f.impact === 'critical');
}
