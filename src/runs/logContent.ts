// Task log lines may arrive as base64 of UTF-8 text (the official UI decodes
// them). Decoding is strict so that plain text that merely happens to use the
// base64 alphabet ("Done", "abcd1234") is shown as is.

import { base64ToBytes, bytesToBase64 } from '../shared/base64';

// A flat character class: a grouped, repeated pattern overflows the regex stack on megabyte logs.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Text: no control characters except tab, newline, carriage return, escape (ANSI colours), and no U+FFFD. */
function looksLikeText(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000B\u000C\u000E-\u001A\u001C-\u001F\u007F\uFFFD]/.test(text);
}

export function decodeLogContent(content: string): string {
  const compact = content.replace(/\r?\n/g, '');
  if (compact.length < 4 || compact.length % 4 !== 0 || !BASE64.test(compact)) return content;
  const bytes = base64ToBytes(compact);
  // Round trip: decoding is lenient (stray bits in the last character), so make sure this really was canonical base64.
  if (bytesToBase64(bytes) !== compact) return content;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return content;
  }
  return looksLikeText(text) ? text : content;
}
