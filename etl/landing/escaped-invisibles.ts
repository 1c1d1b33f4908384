import { INVISIBLE_RANGES } from './email-spelling';

/**
 * An invisible character (email-spelling.ts) written as an escape in a bad
 * line's text: Python prints one so in a dict (`{'email': 'a\u200b@b'}`,
 * `'\xa0'`, `'\U000e0041'`), JSON anywhere (`\u200b`, `\udb40\udc41`). The
 * address search drops them as the fold drops the characters themselves.
 * One pattern for JavaScript, Trino and the stand-in's RE2: each hex letter
 * as a class of both cases, escapes of one prefix merged into a tree.
 */

const hex = (n: number, digits: number): string => n.toString(16).padStart(digits, '0');

function escapes(): string[] {
  const out: string[] = [];
  for (const [from, to] of INVISIBLE_RANGES) {
    for (let c = from; c <= to; c += 1) {
      if (c < 0x100) out.push(`x${hex(c, 2)}`);
      if (c < 0x10000) out.push(`u${hex(c, 4)}`);
      else out.push(`u${hex(0xd800 + ((c - 0x10000) >> 10), 4)}\\u${hex(0xdc00 + ((c - 0x10000) & 0x3ff), 4)}`);
      out.push(`U${hex(c, 8)}`);
    }
  }
  return out;
}

interface Node {
  [next: string]: Node;
}

function tree(words: string[]): Node {
  const root: Node = {};
  for (const word of words) {
    let node = root;
    for (const c of word) node = node[c] ??= {};
  }
  return root;
}

const written = (c: string): string => (/[a-f]/.test(c) ? `[${c}${c.toUpperCase()}]` : c === '\\' ? '\\\\' : c);

function pattern(node: Node): string {
  const branches = Object.keys(node).map((c) => written(c) + pattern(node[c]));
  return branches.length <= 1 ? (branches[0] ?? '') : `(?:${branches.join('|')})`;
}

export const ESCAPED_INVISIBLE = `\\\\${pattern(tree(escapes()))}`;
const ESCAPED = new RegExp(ESCAPED_INVISIBLE, 'g');

/** `text` without the escapes of invisible characters it holds. */
export const dropEscapedInvisibles = (text: string): string => (text.includes('\\') ? text.replace(ESCAPED, '') : text);
