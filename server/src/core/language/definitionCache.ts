import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DefinitionFileAnalysis } from '../definitions/analyzeDefinitions';
import type { DatastoreDefinition, DefinitionSource, OverridesDefinition, ScheduleDefinition } from '../definitions/types';
import type { Problem, Range } from '../problems';
import { sha1Hex } from '../text/sha1';
import { parseYamlFile, type ParsedYamlFile } from '../yaml/safeYaml';

/**
 * Definition-file analyses kept between editor sessions, so a language server that starts on a
 * large catalog answers from what it analyzed last time instead of parsing every file again
 * (parsing is most of a cold start: ~1 s for 10,000 lines of YAML before the JIT is warm).
 *
 * An entry is used only for the same project root, file, text (SHA-1) and `build` (the engine
 * that wrote it): the analysis is a function of exactly these. What needs the YAML itself (the
 * document nodes that locate a problem, completion, hover) parses the file on first use.
 *
 * The cache lives outside the repository (the host chooses the folder), so a cloned repository
 * cannot bring analyses that disagree with its files. A missing, unreadable or torn cache is
 * simply empty: it is rebuilt, never trusted beyond its keys.
 */
export class DefinitionAnalysisCache {
  private stored: Map<string, StoredEntry> | undefined;
  /** Entries looked up or added by this process: what the next save keeps (deleted files drop out). */
  private readonly live = new Map<string, StoredEntry>();
  private dirty = false;

  constructor(private readonly file: string, private readonly build: string, private readonly root: string) {}

  /** The folder-specific cache file for a project root. */
  static forProject(cacheDir: string, build: string, root: string): DefinitionAnalysisCache {
    const name = sha1Hex(root).slice(0, 20);
    return new DefinitionAnalysisCache(path.join(cacheDir, `${name}.json`), build, root);
  }

  /** The analysis of `text` as `file`, if one was kept; `null` when it was not a catalog file at all. */
  lookup(file: string, text: string): DefinitionFileAnalysis | null | undefined {
    const entry = this.entries().get(file);
    if (!entry || entry.sha1 !== sha1Hex(text)) return undefined;
    this.live.set(file, entry);
    return entry.analysis === null ? null : revive(file, text, entry.analysis);
  }

  /** Keeps a fresh analysis (undefined: not a catalog file). A value JSON cannot carry faithfully is not kept. */
  remember(file: string, text: string, analysis: DefinitionFileAnalysis | undefined): void {
    const stored = analysis === undefined ? null : storable(analysis);
    if (stored === undefined) return;
    this.live.set(file, { sha1: sha1Hex(text), analysis: stored });
    this.dirty = true;
  }

  get hasChanges(): boolean {
    return this.dirty || (this.stored !== undefined && this.live.size !== this.stored.size);
  }

  /** Writes the live entries (temp file + rename: a reader sees the old cache or the new one). */
  save(): void {
    if (!this.hasChanges) return;
    const content: CacheFile = { format: FORMAT, build: this.build, root: this.root, entries: Object.fromEntries(this.live) };
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(temp, JSON.stringify(content));
      fs.renameSync(temp, this.file);
      this.stored = new Map(this.live);
      this.dirty = false;
    } catch {
      // A cache that cannot be written costs the next start its speed, nothing else.
      fs.rmSync(temp, { force: true });
    }
  }

  private entries(): Map<string, StoredEntry> {
    if (this.stored) return this.stored;
    this.stored = new Map();
    try {
      const content = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Partial<CacheFile>;
      if (content.format === FORMAT && content.build === this.build && content.root === this.root && content.entries && typeof content.entries === 'object') {
        for (const [file, entry] of Object.entries(content.entries)) this.stored.set(file, entry);
      }
    } catch {
      // No cache yet, or one this build cannot read: start empty.
    }
    return this.stored;
  }
}

const FORMAT = 1;

interface CacheFile {
  format: number;
  build: string;
  root: string;
  entries: Record<string, StoredEntry>;
}

interface StoredEntry {
  sha1: string;
  /** null: the file holds no catalog document. */
  analysis: StoredAnalysis | null;
}

/** Where a definition sits; the document nodes are parsed again when something asks for them. */
interface StoredSource {
  document: number;
  range: Range;
}

type Stored<T extends { source: DefinitionSource }> = Omit<T, 'source'> & { source: StoredSource };

interface StoredAnalysis {
  datastores: Stored<DatastoreDefinition>[];
  schedules: Stored<ScheduleDefinition>[];
  overrides: (Omit<Stored<OverridesDefinition>, 'containers'> & { containers: [string, unknown][] })[];
  problems: Problem[];
}

function storedSource(source: DefinitionSource): StoredSource {
  return { document: source.document, range: source.range };
}

/** The analysis as plain JSON, or undefined when a value would not come back the same (Infinity, NaN, a Date…). */
function storable(analysis: DefinitionFileAnalysis): StoredAnalysis | undefined {
  const stored: StoredAnalysis = {
    datastores: analysis.datastores.map((d) => ({ ...d, source: storedSource(d.source) })),
    schedules: analysis.schedules.map((s) => ({ ...s, source: storedSource(s.source) })),
    overrides: analysis.overrides.map((o) => ({ ...o, containers: [...o.containers], source: storedSource(o.source) })),
    problems: analysis.problems,
  };
  return isPlainJson(stored) ? stored : undefined;
}

function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.every((item) => item !== undefined && isPlainJson(item));
  if (typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value as Record<string, unknown>).every(isPlainJson);
}

/** Rebuilds an analysis whose sources parse the file the first time anything reads their YAML. */
function revive(file: string, text: string, stored: StoredAnalysis): DefinitionFileAnalysis {
  let parsed: ParsedYamlFile | undefined;
  const parse = (): ParsedYamlFile => (parsed ??= parseYamlFile(file, text));
  const sourceOf = (source: StoredSource): DefinitionSource => lazySource(file, source, parse);
  const analysis = {
    path: file,
    datastores: stored.datastores.map((d) => ({ ...d, source: sourceOf(d.source) })),
    schedules: stored.schedules.map((s) => ({ ...s, source: sourceOf(s.source) })),
    overrides: stored.overrides.map((o) => ({ ...o, containers: new Map(o.containers), source: sourceOf(o.source) })),
    problems: stored.problems,
  } as Omit<DefinitionFileAnalysis, 'parsed'>;
  Object.defineProperty(analysis, 'parsed', { get: parse, enumerable: true });
  return analysis as DefinitionFileAnalysis;
}

function lazySource(file: string, stored: StoredSource, parse: () => ParsedYamlFile): DefinitionSource {
  return {
    file,
    document: stored.document,
    range: stored.range,
    get doc() {
      return parse().documents[stored.document].doc;
    },
    get lineCounter() {
      return parse().lineCounter;
    },
  };
}
