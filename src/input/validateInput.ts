// Checks a flow's input against the flow's `input_schema` before anything is
// sent, and says where in the file each violation is. ajv does the checking
// (the complete JSON Schema semantics, allErrors); this file maps each error's
// JSON pointer back to a span of the text with jsonc-parser's tree.
// No `vscode` import.
import * as l10n from '@vscode/l10n';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { loadAjv } from '../lazyModules';
import type { Node } from 'jsonc-parser/lib/esm/main';
import type { TextSpan } from './parseInput';
import { isRecord } from '../shared/guards';

export interface SchemaViolation extends TextSpan {
  /** Where in the input, for people: `input.prompt`, `input.items[2]`. */
  path: string;
  /** The full sentence: `input.prompt is required`. */
  message: string;
  keyword: string;
}

type Json = Record<string, unknown>;

let ajv: Ajv | undefined;

/** Made on the first check: ajv is a bundle of its own, loaded only when a flow has a schema. */
async function getAjv(): Promise<Ajv> {
  const AjvClass = await loadAjv();
  ajv ??= new AjvClass({
  allErrors: true,
  // Server schemas may carry keywords and formats this ajv does not know: ignore them rather than refuse the run.
  strict: false,
  validateFormats: false,
  validateSchema: false,
  addUsedSchema: false,
  logger: false,
  });
  return ajv;
}

const MAX_CACHED = 64;
const compiled = new Map<string, ValidateFunction | null>();

/**
 * A compiled validator for a schema, or undefined when ajv cannot compile it
 * or could not be loaded (the server checks then; a failed load is not remembered).
 */
async function validatorFor(schema: Json): Promise<ValidateFunction | undefined> {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit !== undefined) return hit ?? undefined;
  let validator: Ajv;
  try {
    validator = await getAjv();
  } catch {
    return undefined;
  }
  let fn: ValidateFunction | null;
  try {
    // Another draft's `$schema` would make ajv look for a meta-schema it does not have.
    const { $schema: _meta, $id: _id, ...rest } = schema;
    fn = validator.compile(rest);
  } catch {
    fn = null;
  }
  if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value as string);
  compiled.set(key, fn);
  return fn ?? undefined;
}

/** True when the flow declares an input schema worth checking against. */
export function hasInputSchema(schema: unknown): schema is Json {
  return isRecord(schema) && Object.keys(schema).length > 0;
}

/** `/items/0/name` -> ['items', '0', 'name'] (RFC 6901 unescaping). */
function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `input`, `input.prompt`, `input.items[0]`, `input["odd key"]`. */
export function displayPath(segments: readonly (string | number)[]): string {
  let out = 'input';
  for (const s of segments) {
    if (typeof s === 'number' || /^\d+$/.test(s)) out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

function propertyOf(object: Node, key: string): Node | undefined {
  let found: Node | undefined;
  for (const prop of object.children ?? []) {
    if (prop.children?.[0]?.value === key) found = prop;
  }
  return found;
}

/** The value node at a path below `root`, walking objects by key and arrays by index. */
function nodeAt(root: Node, segments: readonly string[]): Node | undefined {
  let node: Node | undefined = root;
  for (const seg of segments) {
    if (!node) return undefined;
    if (node.type === 'object') node = propertyOf(node, seg)?.children?.[1];
    else if (node.type === 'array') node = node.children?.[Number(seg)];
    else return undefined;
  }
  return node;
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let v = root;
  for (const seg of segments) {
    if (Array.isArray(v)) v = v[Number(seg)];
    else if (isRecord(v)) v = v[seg];
    else return undefined;
  }
  return v;
}

/** Where to point at an object or array: its property key if it has one (short and on one line), else its opening bracket. */
function headOf(node: Node): TextSpan {
  const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
  if (key && key !== node) return { offset: key.offset, length: key.length };
  return { offset: node.offset, length: 1 };
}

function spanOf(node: Node): TextSpan {
  if (node.type === 'object' || node.type === 'array') return headOf(node);
  return { offset: node.offset, length: node.length };
}

function kindOfValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return kindWord('array');
  if (typeof v === 'number') return kindWord(Number.isInteger(v) ? 'integer' : 'number');
  return kindWord(typeof v);
}

/** A JSON Schema type as a noun phrase ("a string"); built on use, after activate() configured the translations. */
function kindWord(type: string): string {
  switch (type) {
    case 'string': return l10n.t('a string');
    case 'number': return l10n.t('a number');
    case 'integer': return l10n.t('an integer');
    case 'boolean': return l10n.t('a boolean');
    case 'object': return l10n.t('an object');
    case 'array': return l10n.t('an array');
    default: return type;
  }
}

function expectedTypes(t: unknown): string {
  const list = Array.isArray(t) ? t : typeof t === 'string' ? t.split(',') : [];
  const words = list.map((x) => kindWord(String(x)));
  return words.length === 0 ? l10n.t('another type') : words.reduce((a, b) => l10n.t('{0} or {1}', a, b));
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** What is wrong, as a whole sentence about `path` (its {0}), so that translations can order it. */
function describe(error: ErrorObject, value: unknown): { extra?: string; say: (path: string) => string } {
  const p: Record<string, unknown> = error.params;
  switch (error.keyword) {
    case 'required':
      return { extra: str(p.missingProperty), say: (path) => l10n.t('{0} is required', path) };
    case 'additionalProperties':
      return { extra: str(p.additionalProperty), say: (path) => l10n.t('{0} is not allowed by the flow\'s input schema', path) };
    case 'type':
      return { say: (path) => l10n.t('{0} must be {1} (it is {2})', path, expectedTypes(p.type), kindOfValue(value)) };
    case 'enum': {
      const allowed = Array.isArray(p.allowedValues) ? p.allowedValues.map((v) => JSON.stringify(v)).join(', ') : undefined;
      return {
        say: (path) => allowed !== undefined ? l10n.t('{0} must be one of {1}', path, allowed) : l10n.t('{0} must be one of the allowed values', path),
      };
    }
    case 'const':
      return { say: (path) => l10n.t('{0} must be {1}', path, JSON.stringify(p.allowedValue)) };
    default:
      // ajv's own message is library text: it stays as ajv words it.
      return {
        say: (path) => error.message ? `${path} ${error.message}` : l10n.t('{0} breaks the schema\'s "{1}" rule', path, error.keyword),
      };
  }
}

/**
 * Every way `input` breaks `schema`, each with its place in the file.
 * `tree` is the parsed file and `inputPath` where the input object sits in it
 * (`['input']` for the request form, `[]` for a bare input). Returns [] when
 * the schema cannot be compiled: the server will judge the input then.
 */
export async function validateInput(
  schema: Json,
  input: Record<string, unknown>,
  tree?: Node,
  inputPath: readonly string[] = [],
): Promise<SchemaViolation[]> {
  const validate = await validatorFor(schema);
  if (!validate || validate(input)) return [];
  const inputNode = tree ? nodeAt(tree, inputPath) : undefined;
  const out: SchemaViolation[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    // "must match the then schema" only repeats the errors found inside it.
    if (error.keyword === 'if') continue;
    const segments = pointerSegments(error.instancePath);
    const { extra, say } = describe(error, valueAt(input, segments));
    const pathSegments = extra !== undefined ? [...segments, extra] : segments;
    const path = displayPath(pathSegments);
    let span: TextSpan = { offset: 0, length: 0 };
    const at = inputNode ? nodeAt(inputNode, segments) : undefined;
    if (at) {
      if (error.keyword === 'additionalProperties' && extra !== undefined && at.type === 'object') {
        const key = propertyOf(at, extra)?.children?.[0];
        span = key ? { offset: key.offset, length: key.length } : headOf(at);
      } else if (error.keyword === 'required') {
        span = headOf(at);
      } else {
        span = spanOf(at);
      }
    } else if (inputNode) {
      span = headOf(inputNode);
    }
    const message = say(path);
    const dedupe = `${message}@${span.offset}`;
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    out.push({ path, message, keyword: error.keyword, offset: span.offset, length: span.length });
  }
  return out;
}

/** One line for a notification: the first few violations, then how many more. */
export function summarizeViolations(violations: readonly SchemaViolation[], max = 3): string {
  const shown = violations.slice(0, max).map((v) => v.message).join('; ');
  const rest = violations.length - max;
  return rest > 0 ? l10n.t('{0}; and {1} more (see the Problems view)', shown, rest) : shown;
}
