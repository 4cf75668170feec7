import type { Position, Range } from '../problems';

/**
 * Where the cursor is in YAML that is being typed, read from the text alone (indentation and
 * the current line), because a document in mid-edit rarely parses: `type: ` with no value, a key
 * without its colon. Covers block style and flow collections on the cursor's line.
 */
export function cursorContext(text: string, position: Position): CursorContext | undefined {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  const lineText = lines[position.line];
  if (lineText === undefined) return undefined;
  const before = lineText.slice(0, position.character);
  if (commentStart(before) >= 0) return undefined;
  const { start: documentStart, end: documentEnd } = documentBounds(lines, position.line);
  if (/^(---|\.\.\.)(\s|$)/.test(before)) return undefined;

  const lead = /^(\s*)((?:-\s+)*)/.exec(before)!;
  const indent = lead[1]!.length;
  const dashes = lead[2]!;
  const contentIndent = indent + dashes.length;
  const rest = before.slice(contentIndent);
  // A line that is a sequence item hangs under the key that owns the sequence.
  let path: (string | number)[] = dashes
    ? [...parentPath(lines, position.line, indent, documentStart, true), ...zeros(dashCount(dashes))]
    : parentPath(lines, position.line, contentIndent, documentStart, false);
  const wordEnd = position.character + /^[A-Za-z0-9_.$-]*/.exec(lineText.slice(position.character))![0].length;
  const base = { documentStart, documentEnd, lineIndent: contentIndent };

  const split = keyValueSplit(rest);
  if (split) {
    const key = unquote(split.key.trim());
    const valueText = rest.slice(split.valueStart);
    const flow = flowContext(valueText);
    if (flow) {
      path = [...path, key, ...flow.path];
      const prefixStart = position.character - flow.prefix.length;
      return { ...base, path, target: flow.target, prefix: flow.prefix, replace: range(position.line, prefixStart, wordEnd), siblingKeys: flow.siblingKeys, inFlow: true };
    }
    const prefix = valueText.replace(/^\s+/, '').replace(/^["']/, '');
    const prefixStart = position.character - prefix.length;
    return { ...base, path: [...path, key], target: 'value', prefix, replace: range(position.line, prefixStart, wordEnd), siblingKeys: [], inFlow: false };
  }
  const flow = flowContext(rest);
  if (flow) {
    const prefixStart = position.character - flow.prefix.length;
    return { ...base, path: [...path, ...flow.path], target: flow.target, prefix: flow.prefix, replace: range(position.line, prefixStart, wordEnd), siblingKeys: flow.siblingKeys, inFlow: true };
  }
  const prefix = rest.replace(/^["']/, '');
  const prefixStart = position.character - prefix.length;
  return {
    ...base, path, target: dashes ? 'item' : 'key', prefix,
    replace: range(position.line, prefixStart, wordEnd),
    siblingKeys: dashes ? [] : siblingKeys(lines, position.line, contentIndent, documentStart, documentEnd),
    inFlow: false,
  };
}

export interface CursorContext {
  /**
   * For `key`: the path of the mapping being typed into. For `value`: the path of the value
   * (ending with its key). For `item`: the path of the sequence item (ending with an index).
   */
  path: (string | number)[];
  target: 'key' | 'value' | 'item';
  /** What has been typed of the current word, without an opening quote. */
  prefix: string;
  /** The text a completion replaces: the current word. */
  replace: Range;
  /** Keys already present in the mapping (for `key`), so they are not offered again. */
  siblingKeys: string[];
  /** Inside `{ … }` or `[ … ]` on the cursor's line: insertions stay on one line. */
  inFlow: boolean;
  /** First and last line of the YAML document around the cursor. */
  documentStart: number;
  documentEnd: number;
  /** Column where the current key or item starts, for indenting inserted lines. */
  lineIndent: number;
}

/** The top-level scalar value of `key` in the document between the given lines, read from text. */
export function topLevelValue(text: string, key: string, documentStart: number, documentEnd: number): string | undefined {
  const lines = text.split('\n');
  const pattern = new RegExp(`^${key}\\s*:\\s*(.*)$`);
  for (let line = documentStart; line <= documentEnd && line < lines.length; line++) {
    const match = pattern.exec(lines[line]!.replace(/\r$/, ''));
    if (!match) continue;
    const raw = match[1]!;
    const comment = commentStart(raw);
    return unquote((comment >= 0 ? raw.slice(0, comment) : raw).trim());
  }
  return undefined;
}

function range(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: Math.max(start, end) } };
}

function documentBounds(lines: readonly string[], line: number): { start: number; end: number } {
  let start = 0;
  for (let i = line; i >= 0; i--) {
    if (i !== line && /^(---|\.\.\.)(\s|$)/.test(lines[i]!)) {
      start = i + 1;
      break;
    }
  }
  let end = lines.length - 1;
  for (let i = line + 1; i < lines.length; i++) {
    if (/^(---|\.\.\.)(\s|$)/.test(lines[i]!)) {
      end = i - 1;
      break;
    }
  }
  return { start, end };
}

interface LineShape {
  indent: number;
  /** Column of the content after any `- ` markers. */
  contentIndent: number;
  dashes: number;
  key?: string;
  /** True when the key's value continues on the following lines (`key:` alone). */
  opensBlock: boolean;
  blank: boolean;
}

function shapeOf(line: string): LineShape {
  const lead = /^(\s*)((?:-\s+)*)/.exec(line)!;
  const indent = lead[1]!.length;
  const contentIndent = indent + lead[2]!.length;
  const rest = line.slice(contentIndent);
  const blank = rest.trim() === '' || rest.trimStart().startsWith('#');
  if (blank && lead[2] === '') return { indent, contentIndent, dashes: 0, opensBlock: false, blank: true };
  const split = keyValueSplit(rest);
  const dashes = dashCount(lead[2]!);
  if (!split) return { indent, contentIndent, dashes, opensBlock: false, blank: false };
  const value = rest.slice(split.valueStart);
  const comment = commentStart(value);
  const opensBlock = (comment >= 0 ? value.slice(0, comment) : value).trim() === '' || /^\s*[|>]/.test(value);
  return { indent, contentIndent, dashes, key: unquote(split.key.trim()), opensBlock, blank: false };
}

/**
 * The keys that own a line starting at column `indent`: walk up to the nearest line with a
 * smaller indent, and repeat. `forSequence` finds the owner of a sequence whose dash sits at
 * `indent`, which YAML allows at the same column as its key.
 */
function parentPath(lines: readonly string[], line: number, indent: number, documentStart: number, forSequence: boolean): (string | number)[] {
  const path: (string | number)[] = [];
  let column = indent;
  let sequence = forSequence;
  for (let i = line - 1; i >= documentStart; i--) {
    if (column === 0 && !sequence) break;
    const shape = shapeOf(lines[i]!);
    if (shape.blank) continue;
    if (!sequence && shape.dashes > 0 && shape.contentIndent === column) {
      // `- first: …` starts the mapping we are in, which is an item of a sequence.
      path.unshift(...zeros(shape.dashes));
      column = shape.indent;
      sequence = true;
      continue;
    }
    const owns = shape.contentIndent < column || (sequence && shape.dashes === 0 && shape.contentIndent === column && shape.opensBlock);
    if (!owns) continue;
    if (shape.key !== undefined && shape.opensBlock) path.unshift(shape.key);
    else if (shape.dashes === 0) break;
    if (shape.dashes > 0) {
      path.unshift(...zeros(shape.dashes));
      column = shape.indent;
      sequence = true;
    } else {
      column = shape.contentIndent;
      sequence = false;
    }
  }
  return path;
}

function zeros(count: number): number[] {
  return Array.from({ length: count }, () => 0);
}

/** Keys at column `indent` in the mapping around `line`, above and below it. */
function siblingKeys(lines: readonly string[], line: number, indent: number, documentStart: number, documentEnd: number): string[] {
  const keys: string[] = [];
  for (const step of [-1, 1]) {
    for (let i = line + step; i >= documentStart && i <= documentEnd; i += step) {
      const shape = shapeOf(lines[i]!);
      if (shape.blank) continue;
      if (shape.contentIndent < indent || (shape.dashes > 0 && shape.indent <= indent && shape.contentIndent !== indent)) break;
      if (shape.contentIndent === indent && shape.dashes === 0 && shape.key !== undefined) keys.push(shape.key);
    }
  }
  return keys;
}

function dashCount(dashes: string): number {
  return (dashes.match(/-/g) ?? []).length;
}

/** Where a `key:` ends in a line's content, skipping quoted text and flow brackets. */
function keyValueSplit(content: string): { key: string; valueStart: number } | undefined {
  let quote: string | undefined;
  for (let i = 0; i < content.length; i++) {
    const ch = content[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if ((ch === '"' || ch === "'") && i === 0) quote = ch;
    else if (ch === '{' || ch === '[') return undefined;
    else if (ch === ':' && (i + 1 === content.length || content[i + 1] === ' ' || content[i + 1] === '\t')) return { key: content.slice(0, i), valueStart: i + 1 };
    else if (ch === '#' && (i === 0 || content[i - 1] === ' ')) return undefined;
  }
  return undefined;
}

/** The column where a comment starts, outside quotes; -1 when there is none. */
function commentStart(text: string): number {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      if (i === 0 || /[\s:,[{]/.test(text[i - 1]!)) quote = ch;
    } else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      return i;
    }
  }
  return -1;
}

interface FlowContext {
  path: (string | number)[];
  target: 'key' | 'value' | 'item';
  prefix: string;
  siblingKeys: string[];
}

/** Reads an unclosed `{ … }` or `[ … ]` that ends at the cursor. */
function flowContext(text: string): FlowContext | undefined {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  const stack: { kind: '{' | '['; key?: string; keys: string[]; index: number }[] = [];
  let segment = '';
  let quote: string | undefined;
  for (const ch of trimmed) {
    if (quote) {
      if (ch === quote) quote = undefined;
      segment += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      segment += ch;
    } else if (ch === '{' || ch === '[') {
      const top = stack[stack.length - 1];
      if (top?.kind === '{') top.key = flowKey(segment);
      stack.push({ kind: ch, keys: [], index: 0 });
      segment = '';
    } else if (ch === '}' || ch === ']') {
      stack.pop();
      segment = '';
      if (stack.length === 0) return undefined;
    } else if (ch === ',') {
      const top = stack[stack.length - 1]!;
      const key = flowKey(segment);
      if (top.kind === '{' && key !== undefined) top.keys.push(key);
      top.index++;
      segment = '';
    } else {
      segment += ch;
    }
  }
  if (stack.length === 0) return undefined;
  const path: (string | number)[] = [];
  for (let i = 0; i < stack.length - 1; i++) {
    const frame = stack[i]!;
    path.push(frame.kind === '{' ? frame.key ?? '' : frame.index);
  }
  const top = stack[stack.length - 1]!;
  const colon = /^\s*("[^"]*"|'[^']*'|[^:]+?)\s*:(\s+|$)(.*)$/.exec(segment);
  if (top.kind === '{') {
    if (colon) return { path: [...path, unquote(colon[1]!.trim())], target: 'value', prefix: colon[3]!.replace(/^["']/, ''), siblingKeys: [] };
    return { path, target: 'key', prefix: segment.trimStart().replace(/^["']/, ''), siblingKeys: top.keys };
  }
  return { path: [...path, top.index], target: 'item', prefix: segment.trimStart().replace(/^["']/, ''), siblingKeys: [] };
}

function flowKey(segment: string): string | undefined {
  const colon = /^\s*("[^"]*"|'[^']*'|[^:]+?)\s*:/.exec(segment);
  return colon ? unquote(colon[1]!.trim()) : undefined;
}

function unquote(text: string): string {
  if (text.length >= 2 && ((text.startsWith('"') && text.endsWith('"')) || (text.startsWith("'") && text.endsWith("'")))) return text.slice(1, -1);
  return text;
}
