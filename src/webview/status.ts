// How each status looks: a codicon, a word and a CSS class. The word is always
// shown next to the colour, so status never depends on colour alone.
import type { PanelNodeStatus } from '../shared/protocol';

export interface StatusLook {
  /** CSS class suffix: status-<cls>. */
  cls: PanelNodeStatus;
  icon: string;
  /** The codicon's code point, for SVG <text>. */
  glyph: string;
  spin: boolean;
}

// Code points from @vscode/codicons' codicon.csv (checked by a unit test).
export const NODE_LOOKS: Record<PanelNodeStatus, StatusLook> = {
  pending: { cls: 'pending', icon: 'circle', glyph: '\uEABC', spin: false },
  ready: { cls: 'ready', icon: 'clockface', glyph: '\uEC75', spin: false },
  running: { cls: 'running', icon: 'sync', glyph: '\uEA77', spin: true },
  completed: { cls: 'completed', icon: 'pass-filled', glyph: '\uEBB3', spin: false },
  failed: { cls: 'failed', icon: 'error', glyph: '\uEA87', spin: false },
  cancelled: { cls: 'cancelled', icon: 'circle-slash', glyph: '\uEABD', spin: false },
  skipped: { cls: 'skipped', icon: 'debug-step-over', glyph: '\uEAD6', spin: false },
  blocked: { cls: 'blocked', icon: 'lock', glyph: '\uEA75', spin: false },
  unknown: { cls: 'unknown', icon: 'question', glyph: '\uEB32', spin: false },
};

export function nodeLook(status: string | undefined): StatusLook {
  return NODE_LOOKS[(status ?? 'unknown') as PanelNodeStatus] ?? NODE_LOOKS.unknown;
}

/** Flow run status codes (0..5) drawn like the node status they resemble. */
export function runLook(status: number): StatusLook {
  const byCode: PanelNodeStatus[] = ['unknown', 'ready', 'running', 'completed', 'failed', 'cancelled'];
  return NODE_LOOKS[byCode[status] ?? 'unknown'];
}

/** Task status codes (0..12): received/queued wait, 3..9 work, 10..12 end. */
export function taskLook(status: number): StatusLook {
  if (status === 10) return NODE_LOOKS.completed;
  if (status === 11) return NODE_LOOKS.failed;
  if (status === 12) return NODE_LOOKS.cancelled;
  if (status === 1 || status === 2) return NODE_LOOKS.ready;
  if (status >= 3 && status <= 9) return NODE_LOOKS.running;
  return NODE_LOOKS.unknown;
}

/** "setting_up" -> "setting up". */
export function statusWord(name: string): string {
  return name.replace(/_/g, ' ');
}
