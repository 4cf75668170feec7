import { isMap, isNode, isPair, isScalar, isSeq, type Document, type Node as YamlNode, type Scalar } from 'yaml';
import type { Position, Range } from '../problems';
import type { DefinitionFileAnalysis } from '../definitions/analyzeDefinitions';
import { rangeOf, type ParsedYamlFile } from '../yaml/safeYaml';
import { parsedPartsOf } from './documentParts';

/**
 * The YAML node under a position in a parsed file: which document, the path of keys down to
 * it, and whether the position is on a key or on a value. Hover, definition, references and
 * rename start here; completion reads the raw text instead (cursorContext.ts), because a
 * document being typed often does not parse.
 */
export function nodeAt(parsed: ParsedYamlFile, position: Position): NodeAtPosition | undefined {
  const offset = offsetAt(parsed, position);
  if (offset === undefined) return undefined;
  for (const [documentIndex, document] of parsed.documents.entries()) {
    const contents = document.doc.contents;
    if (!contents || !isNode(contents) || !contents.range) continue;
    if (offset < contents.range[0] || offset > contents.range[2]) continue;
    const found = descend(contents, offset, []);
    if (!found) return undefined;
    return { documentIndex, doc: document.doc, ...found, range: rangeOf(parsed.lineCounter, found.node.range![0], found.node.range![1]) };
  }
  return undefined;
}

/**
 * {@link nodeAt} over an analysis, which may hold one parse per document (documentParts.ts):
 * the document index is the one in the file, and `parsed` is the part the node belongs to.
 */
export function nodeInFile(analysis: DefinitionFileAnalysis, position: Position): (NodeAtPosition & { parsed: ParsedYamlFile }) | undefined {
  for (const part of parsedPartsOf(analysis)) {
    const found = nodeAt(part.parsed, position);
    if (found) return { ...found, documentIndex: part.firstDocument + found.documentIndex, parsed: part.parsed };
  }
  return undefined;
}

export interface NodeAtPosition {
  documentIndex: number;
  doc: Document.Parsed;
  /** Keys (and sequence indexes) from the document's root to the node. */
  path: (string | number)[];
  /** `key` when the position is on the key of the last path segment. */
  target: 'key' | 'value';
  node: YamlNode;
  range: Range;
}

/** The zero-based offset of a position, or undefined when it is past the end of the text. */
export function offsetAt(parsed: ParsedYamlFile, position: Position): number | undefined {
  const starts = parsed.lineCounter.lineStarts;
  // A part parsed out of a file (documentParts.ts) counts its lines from `firstLine`.
  const line = position.line - (parsed.firstLine ?? 0);
  const lineStart = line === 0 ? 0 : starts[line];
  // The empty line after the text's last newline is not the text's: in a part, it is the next part's first line.
  if (line < 0 || lineStart === undefined || (lineStart === parsed.text.length && parsed.text.endsWith('\n'))) return undefined;
  const nextLine = starts[line + 1];
  const lineEnd = nextLine === undefined ? parsed.text.length : nextLine - 1;
  return Math.min(lineStart + position.character, lineEnd);
}

/** The range of a node, when it has one. */
export function rangeOfNode(parsed: ParsedYamlFile, node: YamlNode | null | undefined): Range | undefined {
  return node?.range ? rangeOf(parsed.lineCounter, node.range[0], node.range[1]) : undefined;
}

/** The string value of a scalar node, else undefined. */
export function scalarText(node: unknown): string | undefined {
  return isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number' || typeof node.value === 'boolean') ? String(node.value) : undefined;
}

/** A document's top-level scalar value for `key` (such as `kind`), read from the AST. */
export function topLevelScalar(doc: Document.Parsed, key: string): { value: string; node: Scalar } | undefined {
  const contents = doc.contents;
  if (!isMap(contents)) return undefined;
  for (const item of contents.items) {
    if (isScalar(item.key) && item.key.value === key && isScalar(item.value)) {
      const value = scalarText(item.value);
      return value === undefined ? undefined : { value, node: item.value };
    }
  }
  return undefined;
}

function within(node: { range?: [number, number, number] | null }, offset: number): boolean {
  return !!node.range && offset >= node.range[0] && offset <= node.range[1];
}

function descend(node: YamlNode, offset: number, path: (string | number)[]): Omit<NodeAtPosition, 'documentIndex' | 'doc' | 'range'> | undefined {
  if (isMap(node)) {
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const key = item.key;
      if (isNode(key) && within(key, offset)) {
        const name = scalarText(key);
        return name === undefined ? undefined : { path: [...path, name], target: 'key', node: key };
      }
      const value = item.value;
      if (isNode(value) && within(value, offset)) {
        const name = scalarText(key);
        if (name === undefined) return undefined;
        return descend(value, offset, [...path, name]) ?? { path: [...path, name], target: 'value', node: value };
      }
    }
    return { path, target: 'value', node };
  }
  if (isSeq(node)) {
    for (const [index, item] of node.items.entries()) {
      if (isNode(item) && within(item, offset)) return descend(item, offset, [...path, index]);
    }
    return { path, target: 'value', node };
  }
  return { path, target: 'value', node };
}
