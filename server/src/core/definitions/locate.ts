import { isMap, isNode, isPair, isScalar, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import { nodeRange } from '../yaml/safeYaml';
import type { Range } from '../problems';
import type { DefinitionSource } from './types';

/**
 * Finds the range of a key or value inside a definition's YAML document. Falls back to the
 * nearest existing ancestor, so a problem always has a position even when the node is missing.
 */
export function locate(source: DefinitionSource, path: readonly (string | number)[], target: 'key' | 'value' = 'value'): Range {
  const contents = source.doc.contents;
  if (!contents || !isNode(contents)) return source.range;
  // A property missing from the document itself: point at its first key, not at every line.
  if (path.length === 0 && target === 'key') return firstKeyRange(source, contents) ?? source.range;
  let node: YamlNode = contents;
  let lastPair: Pair | undefined;
  for (const segment of path) {
    const child = childOf(node, segment);
    if (!child) {
      // The node does not exist (a missing property): point at the key that owns its parent.
      return (lastPair && isNode(lastPair.key) ? nodeRange(source.lineCounter, lastPair.key) : undefined) ?? firstKeyRange(source, node) ?? source.range;
    }
    lastPair = child.pair;
    node = child.value;
  }
  if (target === 'key' && lastPair && isNode(lastPair.key)) {
    return nodeRange(source.lineCounter, lastPair.key) ?? source.range;
  }
  return nodeRange(source.lineCounter, node) ?? source.range;
}

function childOf(node: YamlNode, segment: string | number): { pair?: Pair; value: YamlNode } | undefined {
  if (isMap(node)) {
    const item = keyIndex(node).get(String(segment));
    if (!item) return undefined;
    if (isNode(item.value)) return { pair: item, value: item.value };
    // `key:` with no value: the key itself is the best place to point at.
    if (isNode(item.key)) return { pair: item, value: item.key };
    return undefined;
  }
  if ('items' in node && Array.isArray((node as { items: unknown[] }).items) && typeof segment === 'number') {
    const item = (node as { items: unknown[] }).items[segment];
    return isNode(item) ? { value: item } : undefined;
  }
  return undefined;
}

/**
 * The first pair of each scalar key, by the key as a string. Built once per mapping: a document with
 * thousands of unknown keys is located in linear time, not quadratic.
 */
const keyIndexes = new WeakMap<YAMLMap, { size: number; pairs: Map<string, Pair> }>();

function keyIndex(map: YAMLMap): Map<string, Pair> {
  const cached = keyIndexes.get(map);
  if (cached && cached.size === map.items.length) return cached.pairs;
  const pairs = new Map<string, Pair>();
  for (const item of map.items) {
    // Collection keys never match a path segment, and stringifying them could be costly.
    if (!isPair(item) || !isScalar(item.key)) continue;
    const key = String(item.key.value);
    if (!pairs.has(key)) pairs.set(key, item);
  }
  keyIndexes.set(map, { size: map.items.length, pairs });
  return pairs;
}

function firstKeyRange(source: DefinitionSource, node: YamlNode): Range | undefined {
  if (isMap(node)) {
    const first = node.items[0];
    if (first && isNode(first.key)) return nodeRange(source.lineCounter, first.key);
  }
  return nodeRange(source.lineCounter, node);
}
