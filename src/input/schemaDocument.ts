// The JSON schema VS Code's JSON language service applies to `*.flow.json`
// files (package.json's jsonValidation points at `flowruns-schema:/flow-input.json`):
// the request body {flow, input}, and for every flow we know an if/then that
// holds `input` to that flow's own input_schema. That gives completion, hovers
// and squiggles while the user types. No `vscode` import: the caller passes
// the schema's words in the user's language (SchemaWords).
import { flowDisplayName, type Flow } from '../api/models';
import { isRecord } from '../shared/guards';

type Json = Record<string, unknown>;

/** The titles and descriptions the JSON editor shows on hover; `{0}` is the flow's title or id. */
export interface SchemaWords {
  requestTitle: string;
  requestDescription: string;
  flowTitle: string;
  flowDescription: string;
  inputTitle: string;
  inputDescription: string;
  flowInputTitle: string;
  flowInputDescription: string;
}

const fill = (template: string, value: string): string => template.replace('{0}', value);

/** A definitions key that is safe in a JSON pointer. */
function defKey(flowId: string): string {
  return `flow_${flowId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/**
 * A copy of a flow's schema that still works when moved under
 * `#/definitions/<key>`: local refs (`#/...`) are re-rooted there, and
 * `$schema` / `$id` are dropped (they would change how refs resolve).
 */
function rehome(schema: unknown, key: string, depth = 0): unknown {
  if (depth > 64) return {};
  if (Array.isArray(schema)) return schema.map((s) => rehome(s, key, depth + 1));
  if (!isRecord(schema)) return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (depth === 0 && (k === '$schema' || k === '$id')) continue;
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#')) {
      out[k] = `#/definitions/${key}${v.slice(1)}`;
    } else {
      out[k] = rehome(v, key, depth + 1);
    }
  }
  return out;
}

function oneLine(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t ? t.replace(/\s+/g, ' ') : undefined;
}

/** The schema document for a set of flows (sorted by id, so the text is stable). */
export function buildSchemaDocument(flows: readonly Flow[], words: SchemaWords): Json {
  const sorted = [...flows].sort((a, b) => a.id.localeCompare(b.id));
  const definitions: Json = {};
  const conditions: Json[] = [];
  const flowChoices: Json[] = [];
  for (const flow of sorted) {
    const title = flowDisplayName(flow);
    const description = oneLine(flow.description);
    flowChoices.push({
      const: flow.id,
      title,
      description: description ? `${title}: ${description}` : title,
    });
    const key = defKey(flow.id);
    const schema = isRecord(flow.input_schema) ? rehome(flow.input_schema, key) : { type: 'object' };
    definitions[key] = schema;
    conditions.push({
      if: { properties: { flow: { const: flow.id } }, required: ['flow'] },
      then: {
        properties: {
          input: {
            title: fill(words.flowInputTitle, title),
            description: description ?? fill(words.flowInputDescription, flow.id),
            allOf: [{ $ref: `#/definitions/${key}` }],
          },
        },
      },
    });
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: words.requestTitle,
    description: words.requestDescription,
    type: 'object',
    required: ['flow', 'input'],
    properties: {
      flow: {
        type: 'string',
        title: words.flowTitle,
        description: words.flowDescription,
        // Known flows are offered as completions; any other id is still allowed (the server decides).
        anyOf: [...flowChoices, { type: 'string' }],
      },
      input: {
        type: 'object',
        title: words.inputTitle,
        description: words.inputDescription,
      },
    },
    // draft-07 wants a non-empty allOf.
    ...(conditions.length > 0 ? { allOf: conditions, definitions } : {}),
  };
}

export function schemaDocumentText(flows: readonly Flow[], words: SchemaWords): string {
  return JSON.stringify(buildSchemaDocument(flows, words), null, 2);
}
