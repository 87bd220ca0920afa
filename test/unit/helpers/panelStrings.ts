// The panel's English words for tests and benchmarks that feed the webview
// without a VS Code host: the table src/views/panel/panelStrings.ts builds,
// read from that file with vscode.l10n.t standing in as "the message itself",
// so the words are written once.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PanelStrings } from '../../../src/shared/protocol';

let cached: PanelStrings | undefined;

export function englishPanelStrings(): PanelStrings {
  if (cached) return cached;
  const file = path.join(__dirname, '../../../src/views/panel/panelStrings.ts');
  const source = fs.readFileSync(file, 'utf8');
  const start = source.indexOf('return {');
  const end = source.lastIndexOf('}');
  if (start < 0 || end < start) throw new Error(`${file}: no "return {…}" table found`);
  // The table is a plain object literal: evaluate it with a stand-in for vscode.l10n.t.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const build = new Function('vscode', source.slice(start, end)) as (vscode: unknown) => PanelStrings;
  const fill = (message: string, ...args: (string | number)[]): string => message.replace(/\{(\d+)\}/g, (m, i: string) => String(args[Number(i)] ?? m));
  cached = build({ l10n: { t: fill } });
  return cached;
}
