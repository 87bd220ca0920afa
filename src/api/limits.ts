// Every bound the client puts on what a server sends, in one place (the
// README's "hostile server" list quotes these). The extension host is shared
// with every other extension: no answer may take unbounded memory, time or
// stack.

const MB = 1024 * 1024;

/** Bytes of one answer, counted after decompression (so a gzip bomb stops early). */
export const BODY_LIMITS = {
  /** A run, a flow, a create/cancel/clone/update answer. */
  object: 16 * MB,
  /** A list page of runs or flows. */
  list: 16 * MB,
  /** A task with its logs (logs can be long). */
  task: 32 * MB,
  /** An error body: only its detail is shown, cut to a sentence; past this the rest is not read (the status still speaks). */
  error: 2 * MB,
} as const;

export type BodyKind = keyof typeof BODY_LIMITS;

/** Characters one SSE event may hold (eventsource-parser's maxBufferSize). */
export const MAX_EVENT_CHARS = 8 * MB;

/**
 * Nesting depth of any JSON value the client keeps. Deeper parts are replaced
 * by TOO_DEEP, so no recursion over server data (merging, JSON.stringify,
 * structured clones for the webview) can run out of stack.
 */
export const MAX_JSON_DEPTH = 1000;

/** What stands in for a part nested deeper than MAX_JSON_DEPTH. */
export const TOO_DEEP = '[too deeply nested to display]';

/**
 * Tasks one followed run holds beyond those its node_tasks name: a server
 * streaming endless foreign task ids cannot grow the follower without bound.
 */
export const MAX_EXTRA_TASKS = 1000;
