// Reads a flow input file: the request body `{"flow": "<id>", "input": {...}}`
// or a bare input object. Tolerant like VS Code's own JSON (comments, trailing
// commas) and precise about where a problem is. No `vscode` import: offsets
// only, the caller turns them into ranges.
//
// jsonc-parser is imported from its ES build: its UMD `main` hides the inner
// requires from esbuild, so the bundle would fail at runtime.
import * as l10n from '@vscode/l10n';
import { utf8ByteLength } from '../shared/utf8';
import { getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser/lib/esm/main';

/** What Run Flow accepts at most (the file's UTF-8 size). */
export const MAX_INPUT_BYTES = 5 * 1024 * 1024;

export type InputProblemCode =
  | 'empty'
  | 'syntax'
  | 'not_object'
  | 'flow_not_string'
  | 'input_missing'
  | 'input_not_object'
  | 'too_large'
  /** Set by Run Flow when the server does not know the flow. */
  | 'unknown_flow';

/** A problem in the file: a sentence for the user and, when it has a place, where. */
export interface InputProblem {
  code: InputProblemCode;
  message: string;
  offset?: number;
  length?: number;
}

/** A span of the file, as offsets into its text. */
export interface TextSpan {
  offset: number;
  length: number;
}

export interface ParsedRequest {
  form: 'request';
  flow: string;
  /** Where the flow id string is (for diagnostics about the flow). */
  flowSpan: TextSpan;
  input: Record<string, unknown>;
  /** The JSON path of the input object in the file. */
  inputPath: ['input'];
  tree: Node;
}

export interface ParsedBare {
  form: 'bare';
  input: Record<string, unknown>;
  inputPath: [];
  tree: Node;
}

export type ParsedInput = ParsedRequest | ParsedBare;

export type ParseOutcome = { ok: true; value: ParsedInput } | { ok: false; problem: InputProblem };

/** Built on use, not at load: the translations are configured in activate(), after this module loads. */
function syntaxWords(): Record<string, string> {
  return {
    InvalidSymbol: l10n.t('unexpected character'),
    InvalidNumberFormat: l10n.t('this is not a valid number'),
    PropertyNameExpected: l10n.t('a property name in double quotes is expected'),
    ValueExpected: l10n.t('a value is expected'),
    ColonExpected: l10n.t("a colon (':') is expected"),
    CommaExpected: l10n.t("a comma (',') is expected"),
    CloseBraceExpected: l10n.t("a closing brace ('}') is expected"),
    CloseBracketExpected: l10n.t("a closing bracket (']') is expected"),
    EndOfFileExpected: l10n.t('the file should end after the top-level value'),
    InvalidCommentToken: l10n.t('this comment is not closed'),
    UnexpectedEndOfComment: l10n.t('this comment is not closed'),
    UnexpectedEndOfString: l10n.t('this string is not closed'),
    UnexpectedEndOfNumber: l10n.t('this number is not complete'),
    InvalidUnicode: l10n.t('invalid \\u escape'),
    InvalidEscapeCharacter: l10n.t('invalid escape character'),
    InvalidCharacter: l10n.t('invalid character in a string'),
  };
}

/** 1-based line and column of an offset, as editors count them. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(0, offset), text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) {
      line++;
      lineStart = i + 1;
    } else if (c === 13 /* \r */ && text.charCodeAt(i + 1) !== 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** "6.3 MB": one decimal, so a file just over the limit does not read "5 MB". */
export function formatMegabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${(Math.floor(mb * 10) / 10).toFixed(1)} MB`;
}

/** The size check comes first: a file over the limit is not even parsed. Sizes are UTF-8 bytes, as sent. */
export function checkSize(text: string): InputProblem | undefined {
  const byteLength = utf8ByteLength(text);
  if (byteLength <= MAX_INPUT_BYTES) return undefined;
  return {
    code: 'too_large',
    message: l10n.t(
      'The file is {0}; Run Flow sends at most {1} MB of input. Put large data behind a URL instead.',
      formatMegabytes(byteLength), MAX_INPUT_BYTES / (1024 * 1024)),
  };
}

function kindOf(node: Node): string {
  switch (node.type) {
    case 'object': return l10n.t('an object');
    case 'array': return l10n.t('an array');
    case 'string': return l10n.t('a string');
    case 'number': return l10n.t('a number');
    case 'boolean': return l10n.t('a boolean');
    case 'null': return 'null';
    default: return l10n.t('a property');
  }
}

function propertyNode(object: Node, key: string): Node | undefined {
  // The last one wins, as in JSON.parse.
  let found: Node | undefined;
  for (const prop of object.children ?? []) {
    const [k] = prop.children ?? [];
    if (k && k.value === key) found = prop;
  }
  return found;
}

function syntaxProblem(text: string, errors: ParseError[]): InputProblem {
  const first = errors[0];
  const { line, column } = lineAndColumn(text, first.offset);
  const what = syntaxWords()[printParseErrorCode(first.error)] ?? l10n.t('unexpected text');
  const more = errors.length - 1;
  return {
    code: 'syntax',
    message: more === 0
      ? l10n.t('The file is not valid JSON: line {0}, column {1}: {2}.', line, column, what)
      : more === 1
        ? l10n.t('The file is not valid JSON: line {0}, column {1}: {2} (1 more problem after it).', line, column, what)
        : l10n.t('The file is not valid JSON: line {0}, column {1}: {2} ({3} more problems after it).', line, column, what, more),
    offset: first.offset,
    length: Math.max(1, first.length),
  };
}

/** Parses the text of an input file; the size must have been checked already. */
export function parseInput(text: string): ParseOutcome {
  if (text.trim() === '') {
    return {
      ok: false,
      problem: {
        code: 'empty',
        message: l10n.t('The file is empty. Write the run request, {"flow": "<flow id>", "input": {…}}, or just the input object.'),
        offset: 0,
        length: 0,
      },
    };
  }
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || !tree) {
    if (errors.length === 0) errors.push({ error: 4 /* ValueExpected */, offset: 0, length: 1 });
    return { ok: false, problem: syntaxProblem(text, errors) };
  }
  if (tree.type !== 'object') {
    return {
      ok: false,
      problem: {
        code: 'not_object',
        message: l10n.t('The file must hold a JSON object, either {"flow": "<flow id>", "input": {…}} or the input object itself; it holds {0}.', kindOf(tree)),
        offset: tree.offset,
        length: tree.length,
      },
    };
  }
  const flowProp = propertyNode(tree, 'flow');
  if (!flowProp) {
    return { ok: true, value: { form: 'bare', input: getNodeValue(tree) as Record<string, unknown>, inputPath: [], tree } };
  }
  const flowValue = flowProp.children?.[1];
  if (!flowValue || flowValue.type !== 'string') {
    const at = flowValue ?? flowProp;
    return {
      ok: false,
      problem: {
        code: 'flow_not_string',
        message: flowValue
          ? l10n.t('"flow" must be a string, the id of the flow to run (such as "flow_abc123"); it is {0}.', kindOf(flowValue))
          : l10n.t('"flow" must be a string, the id of the flow to run (such as "flow_abc123"); it is empty.'),
        offset: at.offset,
        length: at.length,
      },
    };
  }
  const inputProp = propertyNode(tree, 'input');
  const inputValue = inputProp?.children?.[1];
  if (!inputProp) {
    const key = flowProp.children?.[0] ?? flowProp;
    return {
      ok: false,
      problem: {
        code: 'input_missing',
        message: l10n.t('The file names a "flow" but has no "input": add "input": {…} with the flow\'s inputs.'),
        offset: key.offset,
        length: key.length,
      },
    };
  }
  if (!inputValue || inputValue.type !== 'object') {
    const at = inputValue ?? inputProp;
    return {
      ok: false,
      problem: {
        code: 'input_not_object',
        message: inputValue
          ? l10n.t('"input" must be an object with the flow\'s inputs, such as {"prompt": "…"}; it is {0}.', kindOf(inputValue))
          : l10n.t('"input" must be an object with the flow\'s inputs, such as {"prompt": "…"}; it is empty.'),
        offset: at.offset,
        length: at.length,
      },
    };
  }
  return {
    ok: true,
    value: {
      form: 'request',
      flow: flowValue.value as string,
      flowSpan: { offset: flowValue.offset, length: flowValue.length },
      input: getNodeValue(inputValue) as Record<string, unknown>,
      inputPath: ['input'],
      tree,
    },
  };
}

/**
 * Cheap test for "is this an input file": the root is an object with a
 * `flow` string. Tolerates broken text (the tree is partial then).
 */
export function declaredFlow(text: string): string | undefined {
  if (text.length > MAX_INPUT_BYTES) return undefined;
  const tree = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!tree || tree.type !== 'object') return undefined;
  const value = propertyNode(tree, 'flow')?.children?.[1];
  return value && value.type === 'string' ? (value.value as string) : undefined;
}
