// What Run Again and Run It Now may send when this window no longer holds the
// input it sent. A run's stored `input` is not always the flow's input: the
// official SDK types it as per-node values (`{nodeId: {key: {Value, ...}}}`).
// Sending that back would start a run with the wrong input, so it is sent only
// when it fits the flow's input schema; otherwise the user gets a draft to
// review. No `vscode` import.
import { isRecord } from '../shared/guards';
import { hasInputSchema, summarizeViolations, validateInput } from './validateInput';

/** One node's value for one key; `Connection` when it comes from another node's output. */
export interface PerNodeCell {
  Value: unknown;
  Connection?: unknown;
}

export type StoredInputVerdict =
  | { fits: true; input: Record<string, unknown> }
  | { fits: false; reason: string; draft: Record<string, unknown> };

/** True for `{nodeId: {key: {Value: …}}}`: every node's every key holds a `{Value}` record. */
export function isPerNodeInput(value: unknown): value is Record<string, Record<string, PerNodeCell>> {
  if (!isRecord(value)) return false;
  let cells = 0;
  for (const node of Object.values(value)) {
    if (!isRecord(node)) return false;
    for (const cell of Object.values(node)) {
      if (!isRecord(cell) || !Object.prototype.hasOwnProperty.call(cell, 'Value')) return false;
      cells++;
    }
  }
  return cells > 0;
}

function schemaProperties(schema: unknown): string[] {
  return isRecord(schema) && isRecord(schema.properties) ? Object.keys(schema.properties) : [];
}

/**
 * The flow's input, as far as per-node values tell it: for each field of the
 * schema, the first node value under the same key that is a plain value
 * (not another node's output, not a template the server had not resolved).
 */
export function draftFromPerNode(perNode: Record<string, Record<string, PerNodeCell>>, schema: unknown): Record<string, unknown> {
  const draft: Record<string, unknown> = {};
  for (const key of schemaProperties(schema)) {
    for (const node of Object.values(perNode)) {
      const cell = node[key];
      if (!cell || (cell.Connection !== undefined && cell.Connection !== null)) continue;
      const v = cell.Value;
      if (v === null || v === undefined || (typeof v === 'string' && v.includes('{{'))) continue;
      draft[key] = v;
      break;
    }
  }
  return draft;
}

/** Whether a run's stored input may be sent as the flow's input, judged against the flow's schema (if known). */
export async function judgeStoredInput(stored: unknown, schema: unknown): Promise<StoredInputVerdict> {
  if (isPerNodeInput(stored)) {
    return {
      fits: false,
      reason: 'the API keeps that run\'s input per node, which is not the flow\'s input',
      draft: draftFromPerNode(stored, schema),
    };
  }
  if (!isRecord(stored)) {
    return { fits: false, reason: 'that run has no input object', draft: {} };
  }
  if (!hasInputSchema(schema)) return { fits: true, input: stored };
  const known = schemaProperties(schema);
  const keys = Object.keys(stored);
  if (known.length > 0 && keys.length > 0 && !keys.some((k) => known.includes(k))) {
    return { fits: false, reason: 'none of its fields is a field of the flow\'s input', draft: stored };
  }
  const violations = await validateInput(schema, stored);
  if (violations.length > 0) {
    return { fits: false, reason: `it does not match the flow's input schema: ${summarizeViolations(violations)}`, draft: stored };
  }
  return { fits: true, input: stored };
}

/** Comment lines stay readable without scrolling sideways. */
const COMMENT_WIDTH = 88;

/** Words into lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The text of the draft input file: `{flow, input}` JSON after comments that say what to do. */
export function reviewFileText(flowId: string, draft: Record<string, unknown>, header: readonly string[]): string {
  const comments = header.flatMap((paragraph) => wrap(paragraph, COMMENT_WIDTH)).map((line) => `// ${line}`).join('\n');
  return `${comments}\n${JSON.stringify({ flow: flowId, input: draft }, null, 2)}\n`;
}
