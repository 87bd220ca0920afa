// How each status looks in the panel: a codicon (with its glyph for the
// graph's SVG), whether it spins, and a CSS class (status-<cls>) for its
// colour. The word is always shown next to the colour, so status never
// depends on colour alone. The icons themselves are the shared vocabulary's
// (src/shared/runText.ts), the same the Runs view and the palette show.
import {
  STATUS_ICONS, nodeStatusKind, runStatusKind, taskStatusKind, type StatusIcon, type StatusKind,
} from '../shared/runText';
import { S } from './strings';

export interface StatusLook extends StatusIcon {
  /** CSS class suffix: status-<cls>. */
  cls: StatusKind;
}

function lookOf(cls: StatusKind): StatusLook {
  return { cls, ...STATUS_ICONS[cls] };
}

export const NODE_LOOKS = Object.fromEntries(
  (Object.keys(STATUS_ICONS) as StatusKind[]).map((kind) => [kind, lookOf(kind)]),
) as Readonly<Record<StatusKind, StatusLook>>;

/** A node status name (anything unknown looks unknown). */
export function nodeLook(status: string | undefined): StatusLook {
  return NODE_LOOKS[nodeStatusKind(status)];
}

/** A flow run status code (0..5), drawn like the node status it resembles. */
export function runLook(status: number): StatusLook {
  return NODE_LOOKS[runStatusKind(status)];
}

/** A task status code (0..12), drawn like the node status it resembles. */
export function taskLook(status: number): StatusLook {
  return NODE_LOOKS[taskStatusKind(status)];
}

/** A node or task status in the user's words ("setting_up" -> "setting up"); a name we do not know is shown as sent. */
export function statusWord(name: string): string {
  return S().statusWords[name.toLowerCase()] ?? name.replace(/_/g, ' ');
}
