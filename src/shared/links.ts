// Links into VS Code (`<scheme>://flow-runs.flow-runs/run/<id>`,
// `/flow/<id>?input=<workspace path>`): what a link asks for, or in words why
// it asks for nothing we open. Plain code: the UriHandler and the tests share
// it; only the handler opens anything.

/**
 * An id as the API writes them (`flowrun_…`, `flow_…`, uuids): letters,
 * digits, `_` and `-`, at most 128. Anything else in a link is not an id
 * and never reaches a request path.
 */
export function isPlainId(value: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(value);
}

/**
 * A piece of a link, quoted in a message: anyone can write a link, so it is
 * cut short, printable ASCII only, and without the brackets VS Code would
 * render as a clickable link in a notification.
 */
export function linkText(raw: string): string {
  const cut = raw.length > 60 ? `${raw.slice(0, 60)}…` : raw;
  return `"${cut.replace(/[^\x20-\x7e…]|[[\]"]/g, '?')}"`;
}

export type LinkTarget =
  | { kind: 'run'; runId: string }
  | { kind: 'flow'; flowId: string; input?: string }
  | { kind: 'bad'; reason: string };

/**
 * A workspace-relative path as a link may name it: forward slashes, no
 * leading slash or drive, no `.`/`..` segments; undefined when it is not one.
 */
export function cleanRelativePath(raw: string): string | undefined {
  if (raw === '' || raw.includes('\\') || raw.includes('\0') || /^[A-Za-z]:/.test(raw) || raw.startsWith('/')) return undefined;
  const parts = raw.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return undefined;
  return parts.join('/');
}

/** What a link's path and query (as VS Code hands them over, already decoded) ask for. */
export function parseLink(path: string, query: string): LinkTarget {
  const m = /^\/(run|flow)\/([^/]*)\/?$/.exec(path);
  if (!m) {
    return { kind: 'bad', reason: `${linkText(path || '/')} is not a Flow Runs link. Links look like /run/<run id> or /flow/<flow id>.` };
  }
  const [, kind, id] = m;
  if (!isPlainId(id)) return { kind: 'bad', reason: `${linkText(id)} is not a ${kind} id (letters, digits, _ and - only).` };
  if (kind === 'run') return { kind: 'run', runId: id };
  // VS Code hands the query over decoded already: split it, decode nothing twice.
  const field = query.split('&').find((f) => f.startsWith('input='));
  if (field === undefined) return { kind: 'flow', flowId: id };
  const input = field.slice('input='.length);
  const clean = cleanRelativePath(input);
  if (!clean) {
    return { kind: 'bad', reason: `The input file ${linkText(input)} must be a path inside this workspace, such as samples/input.flow.json (no "..", no absolute path).` };
  }
  return { kind: 'flow', flowId: id, input: clean };
}
