import { isMap, isNode, isScalar } from 'yaml';
import type { Range } from '../problems';
import type { DefinitionFileAnalysis } from '../definitions/analyzeDefinitions';
import type { ParsedYamlFile } from '../yaml/safeYaml';
import type { CatalogView } from './catalogView';
import { parsedPartsOf, type ParsedPart } from './documentParts';
import { rangeOfNode, scalarText, topLevelScalar } from './nodeAt';
import { describeTiming } from './scheduleText';

/**
 * The outline of a catalog file: one symbol per document (datastore, schedule, overrides,
 * project), overrides listing their containers and each container its identifiers. Read from
 * the parse, so a document with a schema error still appears.
 */
export function documentSymbols(view: CatalogView, file: string): CatalogSymbol[] {
  const analysis = view.analysisOf(file);
  if (!analysis) return [];
  const symbols: CatalogSymbol[] = [];
  for (const part of parsedPartsOf(analysis)) symbols.push(...partSymbols(analysis, part));
  return symbols;
}

export interface CatalogSymbol {
  name: string;
  detail?: string;
  kind: 'datastore' | 'schedule' | 'overrides' | 'project' | 'container' | 'identifier';
  range: Range;
  selectionRange: Range;
  children: CatalogSymbol[];
}

function partSymbols(analysis: DefinitionFileAnalysis, { parsed, firstDocument }: ParsedPart): CatalogSymbol[] {
  const symbols: CatalogSymbol[] = [];
  parsed.documents.forEach((document, localIndex) => {
    const index = firstDocument + localIndex;
    const contents = document.doc.contents;
    const range = rangeOfNode(parsed, contents);
    if (!isMap(contents) || !range) return;
    const kind = topLevelScalar(document.doc, 'kind');
    if (!kind) return;
    const name = topLevelScalar(document.doc, 'name');
    const selection = (name ? rangeOfNode(parsed, name.node) : undefined) ?? rangeOfNode(parsed, kind.node) ?? range;
    switch (kind.value) {
      case 'Datastore': {
        const type = topLevelScalar(document.doc, 'type')?.value;
        symbols.push({ name: name?.value ?? '(unnamed datastore)', detail: type ? `${type} datastore` : 'datastore', kind: 'datastore', range, selectionRange: selection, children: [] });
        break;
      }
      case 'Schedule': {
        const schedule = analysis.schedules.find((s) => s.source.document === index);
        const detail = schedule?.timing ? describeTiming(schedule.timing) : 'schedule';
        symbols.push({ name: name?.value ?? '(unnamed schedule)', detail, kind: 'schedule', range, selectionRange: selection, children: [] });
        break;
      }
      case 'Overrides': {
        const datastore = topLevelScalar(document.doc, 'datastore');
        const selectionRange = (datastore ? rangeOfNode(parsed, datastore.node) : undefined) ?? selection;
        symbols.push({ name: `overrides of ${datastore?.value ?? '?'}`, detail: 'overrides', kind: 'overrides', range, selectionRange, children: containerSymbols(parsed, contents) });
        break;
      }
      case 'Project':
        symbols.push({ name: 'project settings', detail: 'catalog.yaml', kind: 'project', range, selectionRange: selection, children: [] });
        break;
    }
  });
  return symbols;
}

function containerSymbols(parsed: ParsedYamlFile, contents: unknown): CatalogSymbol[] {
  if (!isMap(contents)) return [];
  const containers = contents.items.find((pair) => scalarText(pair.key) === 'containers')?.value;
  if (!isMap(containers)) return [];
  const symbols: CatalogSymbol[] = [];
  for (const pair of containers.items) {
    const name = scalarText(pair.key);
    const keyRange = isNode(pair.key) ? rangeOfNode(parsed, pair.key) : undefined;
    if (name === undefined || !keyRange) continue;
    const valueRange = isNode(pair.value) ? rangeOfNode(parsed, pair.value) : undefined;
    const children: CatalogSymbol[] = [];
    if (isMap(pair.value)) {
      for (const identifier of pair.value.items) {
        const key = scalarText(identifier.key);
        const range = isNode(identifier.key) ? rangeOfNode(parsed, identifier.key) : undefined;
        if (key === undefined || !range) continue;
        const value = isScalar(identifier.value) ? String(identifier.value.value) : '';
        const end = (isNode(identifier.value) ? rangeOfNode(parsed, identifier.value) : undefined)?.end ?? range.end;
        children.push({ name: key, detail: value, kind: 'identifier', range: { start: range.start, end }, selectionRange: range, children: [] });
      }
    }
    symbols.push({ name, kind: 'container', range: { start: keyRange.start, end: valueRange?.end ?? keyRange.end }, selectionRange: keyRange, children });
  }
  return symbols;
}
