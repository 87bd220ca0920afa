// A validator for the JSON-schema subset the demo flows use: type, required,
// properties, enum, minLength, maxLength, minimum, maximum, items,
// additionalProperties, default. Own code rather than ajv so that each issue
// carries the dotted path and JSON pointer the 400 answer lists.
import type { FieldError } from './apiError';
import { isRecord as isObject } from '../shared/guards';

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(expected: string, v: unknown): boolean {
  const actual = typeOf(v);
  if (expected === 'number') return actual === 'number' || actual === 'integer';
  return expected === actual;
}

function issue(path: string[], keyword: string, message: string): FieldError {
  const dotted = path.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
  const pointer = `/${path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
  return { path: dotted, pointer, keyword, message: `${dotted} ${message}` };
}

/** Every way `value` breaks `schema`; `root` names the value in paths (`input`). */
export function validateSchema(schema: unknown, value: unknown, root = 'input'): FieldError[] {
  const out: FieldError[] = [];
  walk(schema, value, [root], out);
  return out;
}

function walk(schema: unknown, value: unknown, path: string[], out: FieldError[]): void {
  if (!isObject(schema)) return;
  const types = Array.isArray(schema.type) ? schema.type.filter((t): t is string => typeof t === 'string')
    : typeof schema.type === 'string' ? [schema.type] : [];
  if (types.length && !types.some((t) => typeMatches(t, value))) {
    out.push(issue(path, 'type', `must be of type ${types.join(' or ')} (got ${typeOf(value)})`));
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    out.push(issue(path, 'enum', `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`));
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) {
      out.push(issue(path, 'minLength', `must have at least ${schema.minLength} character(s)`));
    }
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) {
      out.push(issue(path, 'maxLength', `must have at most ${schema.maxLength} characters`));
    }
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) out.push(issue(path, 'minimum', `must be >= ${schema.minimum}`));
    if (typeof schema.maximum === 'number' && value > schema.maximum) out.push(issue(path, 'maximum', `must be <= ${schema.maximum}`));
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((item, i) => walk(schema.items, item, [...path, String(i)], out));
  }
  if (isObject(value)) {
    const props = isObject(schema.properties) ? schema.properties : {};
    if (Array.isArray(schema.required)) {
      for (const key of schema.required) {
        if (typeof key === 'string' && value[key] === undefined) out.push(issue([...path, key], 'required', 'is required'));
      }
    }
    for (const [key, v] of Object.entries(value)) {
      if (key in props) walk(props[key], v, [...path, key], out);
      else if (schema.additionalProperties === false) out.push(issue([...path, key], 'additionalProperties', 'is not allowed by the schema'));
      else if (isObject(schema.additionalProperties)) walk(schema.additionalProperties, v, [...path, key], out);
    }
  }
}

/** A copy of `value` with the schema's `default`s filled in where a property is missing. */
export function applyDefaults(schema: unknown, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value };
  if (!isObject(schema) || !isObject(schema.properties)) return out;
  for (const [key, prop] of Object.entries(schema.properties)) {
    if (!isObject(prop)) continue;
    if (out[key] === undefined && prop.default !== undefined) out[key] = structuredClone(prop.default);
    const v = out[key];
    if (isObject(v) && isObject(prop.properties)) out[key] = applyDefaults(prop, v);
  }
  return out;
}

/** Top-level input fields the schema does not declare (a warning, unless additionalProperties is false). */
export function unknownFields(schema: unknown, value: Record<string, unknown>): string[] {
  if (!isObject(schema) || !isObject(schema.properties)) return [];
  const props = schema.properties;
  return Object.keys(value).filter((k) => !(k in props));
}
