// The forms of one HTTP answer (wire spec sections 2 and 6): which success
// body (envelope, bare DTO, legacy), what cancel answers, whether a list page
// counts its items, and how rate-limit headers say when to come back. The seed
// profile always answers SEED_FORMS; the varied profile draws a set per request.
import type { ServerResponse } from 'node:http';
import type { ApiMessage, ListPage } from '../api/models';
import { sendData, sendJson } from './httpUtil';
import type { Rng } from './rng';
import { pickOne } from './variation';

export type BodyForm = 'envelope' | 'bare' | 'legacy';
/** What cancel answers: 204 with no body, a bare `{}`, or the run (in the body form). */
export type CancelForm = 'no-content' | 'empty-object' | 'run';
export type TotalItemsForm = 'count' | 'absent' | 'zero';
/** `X-RateLimit-Reset` as unix seconds or as seconds from now. */
export type ResetForm = 'unix' | 'delta';
/** `Retry-After` (on a rate limiter's 429) as seconds, as an HTTP date, or left out (then only the reset says when). */
export type RetryAfterForm = 'seconds' | 'http-date' | 'absent';

export interface AnswerForms {
  body: BodyForm;
  cancel: CancelForm;
  totalItems: TotalItemsForm;
  reset: ResetForm;
  retryAfter: RetryAfterForm;
}

export const SEED_FORMS: Readonly<AnswerForms> = { body: 'envelope', cancel: 'run', totalItems: 'count', reset: 'unix', retryAfter: 'seconds' };

export const BODY_FORMS: readonly BodyForm[] = ['envelope', 'bare', 'legacy'];
export const CANCEL_FORMS: readonly CancelForm[] = ['no-content', 'empty-object', 'run'];
export const TOTAL_ITEMS_FORMS: readonly TotalItemsForm[] = ['count', 'absent', 'zero'];
export const RESET_FORMS: readonly ResetForm[] = ['unix', 'delta'];
export const RETRY_AFTER_FORMS: readonly RetryAfterForm[] = ['seconds', 'http-date', 'absent'];

/** One request's forms; always five draws, in this order. */
export function drawForms(rng: Rng): AnswerForms {
  return {
    body: pickOne(rng(), BODY_FORMS),
    cancel: pickOne(rng(), CANCEL_FORMS),
    totalItems: pickOne(rng(), TOTAL_ITEMS_FORMS),
    reset: pickOne(rng(), RESET_FORMS),
    retryAfter: pickOne(rng(), RETRY_AFTER_FORMS),
  };
}

/** A success answer in the chosen body form (a bare answer cannot carry messages). */
export function sendBody(res: ServerResponse, forms: AnswerForms, data: unknown, messages: ApiMessage[] = []): void {
  if (forms.body === 'bare') sendJson(res, 200, data);
  else if (forms.body === 'legacy') sendJson(res, 200, { success: true, status: 200, data });
  else sendData(res, data, messages);
}

/** An answer that may carry no data (cancel): 204, `{}`, or `data` in the body form. */
export function sendMaybeEmpty(res: ServerResponse, forms: AnswerForms, data: unknown): void {
  if (forms.cancel === 'no-content') {
    res.writeHead(204);
    res.end();
  } else if (forms.cancel === 'empty-object') sendJson(res, 200, {});
  else sendBody(res, forms, data);
}

/** The page with `total_items` as the forms say (absent, or 0 while items exist). */
export function shapePage<T>(page: ListPage<T>, forms: AnswerForms): ListPage<T> {
  if (forms.totalItems === 'count') return page;
  const { total_items: _count, ...rest } = page;
  return forms.totalItems === 'zero' ? { ...rest, total_items: 0 } : rest;
}

/** `X-RateLimit-Reset` for a window that resets at `resetAtMs`. */
export function resetHeader(forms: AnswerForms, resetAtMs: number, nowMs = Date.now()): string {
  return forms.reset === 'delta'
    ? String(Math.max(0, Math.ceil((resetAtMs - nowMs) / 1000)))
    : String(Math.ceil(resetAtMs / 1000));
}

/** `Retry-After` for a wait of `seconds`, or undefined when the forms leave it out. */
export function retryAfterHeader(forms: AnswerForms, seconds: number, nowMs = Date.now()): string | undefined {
  if (forms.retryAfter === 'absent') return undefined;
  if (forms.retryAfter === 'http-date') return new Date(Math.ceil((nowMs + seconds * 1000) / 1000) * 1000).toUTCString();
  return String(seconds);
}
