import { isMap, isNode, isPair, isScalar, type Node as YamlNode, type Pair } from 'yaml';
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
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const key = isScalar(item.key) ? item.key.value : item.key;
      if (key === segment || String(key) === String(segment)) {
        if (isNode(item.value)) return { pair: item, value: item.value };
        // `key:` with no value: the key itself is the best place to point at.
        if (isNode(item.key)) return { pair: item, value: item.key };
        return undefined;
      }
    }
    return undefined;
  }
  if ('items' in node && Array.isArray((node as { items: unknown[] }).items) && typeof segment === 'number') {
    const item = (node as { items: unknown[] }).items[segment];
    return isNode(item) ? { value: item } : undefined;
  }
  return undefined;
}

function firstKeyRange(source: DefinitionSource, node: YamlNode): Range | undefined {
  if (isMap(node)) {
    const first = node.items[0];
    if (first && isNode(first.key)) return nodeRange(source.lineCounter, first.key);
  }
  return nodeRange(source.lineCounter, node);
}
