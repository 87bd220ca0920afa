// The three success forms (wire protocol section 2) and the error bodies
// (RFC 9457 problems, legacy errors, 412 requirement lists).
import type { ApiMessage } from './models';
import type { Requirement } from './errors';
import { isRecord as isObject } from '../shared/guards';

export type JsonObject = Record<string, unknown>;

export interface Unwrapped {
  data: unknown;
  messages: ApiMessage[];
}

/** A legacy body `{success:false, error}` inside a 2xx answer. */
export interface LegacyFailure {
  legacyError: ProblemInfo;
}

function toMessages(value: unknown): ApiMessage[] {
  if (!Array.isArray(value)) return [];
  const out: ApiMessage[] = [];
  for (const m of value) {
    if (isObject(m) && typeof m.message === 'string') {
      const msg: ApiMessage = { level: typeof m.level === 'string' ? m.level : 'info', message: m.message };
      if (typeof m.code === 'string') msg.code = m.code;
      if (m.meta !== undefined) msg.meta = m.meta;
      out.push(msg);
    } else if (typeof m === 'string') {
      out.push({ level: 'info', message: m });
    }
  }
  return out;
}

function isLegacy(body: JsonObject): boolean {
  return typeof body.success === 'boolean' && ('data' in body || 'error' in body || 'status' in body);
}

/**
 * An envelope has `data` and is not itself a DTO: every DTO has `id` and a
 * bare list page has `items`, so those mark the bare form.
 */
function isEnvelope(body: JsonObject): boolean {
  return 'data' in body && !('id' in body) && !('items' in body);
}

/** Accepts envelope, bare DTO and legacy forms. */
export function unwrapSuccess(body: unknown): Unwrapped | LegacyFailure {
  if (!isObject(body)) return { data: body, messages: [] };
  if (isLegacy(body)) {
    if (body.success === false) return { legacyError: problemFrom(body) };
    return { data: body.data ?? undefined, messages: toMessages(body.messages) };
  }
  if (isEnvelope(body)) return { data: body.data ?? undefined, messages: toMessages(body.messages) };
  return { data: body, messages: [] };
}

export interface ProblemInfo {
  code?: string;
  title?: string;
  detail?: string;
  /** The text to show: detail, else title, else message. */
  text?: string;
  requirements?: Requirement[];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** `https://api.inference.sh/errors/<code>` -> `<code>`. */
function codeFromType(type: unknown): string | undefined {
  const t = str(type);
  if (!t || t === 'about:blank') return undefined;
  const last = t.replace(/\/+$/, '').split('/').pop();
  return last || undefined;
}

function toRequirements(value: unknown): Requirement[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: Requirement[] = [];
  for (const e of value) {
    if (!isObject(e)) continue;
    const message = str(e.message) ?? str(e.detail);
    const key = str(e.key) ?? '';
    if (!message && !key) continue;
    const req: Requirement = { type: str(e.type) ?? 'requirement', key, message: message ?? key };
    const action = str(e.action);
    if (action) req.action = action;
    out.push(req);
  }
  return out;
}

/** Reads a problem+json body, a legacy `{error}` body, or a bare `{message}`. */
export function problemFrom(body: unknown): ProblemInfo {
  if (!isObject(body)) return {};
  // A 412 may come bare, inside `data`, or as a problem extension.
  const reqSource = isObject(body.data) && Array.isArray(body.data.errors) ? body.data.errors : body.errors;
  const requirements = toRequirements(reqSource);
  const legacy = body.error;
  let code = str(body.code) ?? codeFromType(body.type);
  let title = str(body.title);
  let detail = str(body.detail);
  let message = str(body.message);
  if (isObject(legacy)) {
    code ??= str(legacy.code);
    title ??= str(legacy.title);
    detail ??= str(legacy.detail);
    message ??= str(legacy.message);
  } else if (typeof legacy === 'string') {
    message ??= str(legacy);
  }
  const info: ProblemInfo = {};
  if (code) info.code = code;
  if (title) info.title = title;
  if (detail) info.detail = detail;
  const text = detail ?? title ?? message;
  if (text) info.text = text;
  if (requirements && requirements.length) info.requirements = requirements;
  return info;
}
