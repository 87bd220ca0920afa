// The panel's words, as the host sent them (PanelStrings in src/shared/protocol.ts):
// the webview cannot call vscode.l10n, so it has no words of its own. Set from
// the first snapshot, before anything is drawn.
import type { PanelStrings } from '../shared/protocol';

let current: PanelStrings | undefined;

export function setStrings(strings: PanelStrings): void {
  current = strings;
}

/** The words; only read once the first snapshot set them. */
export function S(): PanelStrings {
  if (!current) throw new Error('The panel was drawn before its host sent the words.');
  return current;
}

/** Fills `{0}`, `{1}`… the way vscode.l10n.t does. */
export function fill(template: string, ...args: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (whole, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : whole));
}
