import * as fs from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Range } from '../problems';
import { rangeOf } from '../yaml/safeYaml';
import { scalarText } from './nodeAt';

/**
 * The range of a snapshot file's line for one field (`  - name: <field>`), or of the
 * container's `name:` when no field is given. Read on demand: only navigation needs it.
 */
export function snapshotLine(file: string, field?: string): Range | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, logLevel: 'silent' });
  const contents = doc.contents;
  if (!isMap(contents)) return undefined;
  for (const pair of contents.items) {
    const key = scalarText(pair.key);
    if (field === undefined && key === 'name' && (pair.key as { range?: number[] }).range) {
      const range = (pair.key as { range: [number, number, number] }).range;
      return rangeOf(lineCounter, range[0], range[1]);
    }
    if (field === undefined || key !== 'fields' || !isSeq(pair.value)) continue;
    for (const item of pair.value.items) {
      if (!isMap(item)) continue;
      const name = item.items.find((p) => scalarText(p.key) === 'name');
      if (name && scalarText(name.value) === field) {
        const node = name.value as { range?: [number, number, number] };
        if (node.range) return rangeOf(lineCounter, node.range[0], node.range[1]);
      }
    }
  }
  return undefined;
}
