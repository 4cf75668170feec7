import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeDefinitionFile, combineDefinitionFiles, type DefinitionFileAnalysis } from '../definitions/analyzeDefinitions';
import { findDefinitionFiles, isDefinitionPath, readDefinitionText } from '../definitions/definitionFiles';
import { readWorkspaceFile } from '../definitions/loadWorkspace';
import { checkOverridesAgainstSnapshots } from '../definitions/overrideChecks';
import { readProjectSettings } from '../definitions/projectSettings';
import type { ProjectSettings, Workspace } from '../definitions/types';
import { compareProblems, type Problem } from '../problems';
import { SnapshotCatalog } from '../snapshots/snapshotCatalog';
import type { CatalogView } from './catalogView';
import type { DefinitionAnalysisCache } from './definitionCache';
import { DocumentPartsAnalyzer } from './documentParts';
import { suppressInFile } from './suppressions';

/**
 * One catalog project (a workspace folder) as the editor sees it: every definition file with
 * its own analysis, open buffers taking the place of their files. A change re-analyzes only
 * the changed file; the cross-file rules (names, references, overrides against snapshots) then
 * run over the kept analyses, which costs little next to parsing. Problems come from the same
 * engine calls as `cac validate`, so the editor and CI agree. Any editor host can keep one.
 */
export class CatalogProject implements CatalogView {
  settings!: ProjectSettings;
  snapshots!: SnapshotCatalog;
  /** Files whose analysis came from the cache instead of a parse, since this project was made. */
  analysesFromCache = 0;
  private projectProblems: Problem[] = [];
  private readonly files = new Map<string, TrackedFile>();
  private combined: Workspace | undefined;
  private lastCombined: Workspace | undefined;
  private problems: Map<string, Problem[]> | undefined;

  /**
   * `scan: false` for a loose folder: only the files opened in the editor belong to it.
   * `cache`: analyses of files on disk kept between sessions (definitionCache.ts).
   */
  constructor(readonly root: string, private readonly scan: boolean, private readonly cache?: DefinitionAnalysisCache) {
    this.reload();
  }

  /** Writes the analysis cache if this session added to it. */
  saveCache(): void {
    this.cache?.save();
  }

  /** Reads project settings and every definition file again; open buffers are kept. */
  reload(): void {
    const { project, problems } = readProjectSettings(this.root);
    this.settings = project;
    this.projectProblems = problems;
    this.snapshots = new SnapshotCatalog(project.snapshotsDir);
    const buffers = [...this.files.values()].filter((f) => f.buffer);
    this.files.clear();
    if (this.scan) {
      for (const file of findDefinitionFiles(project)) {
        const readProblems: Problem[] = [];
        const text = readWorkspaceFile(project, file, readProblems);
        this.files.set(file, { path: file, text, readProblems, buffer: false, stale: true });
      }
    }
    for (const buffer of buffers) if (this.owns(buffer.path)) this.files.set(buffer.path, { ...buffer, stale: true, snapshotChecks: undefined, parts: undefined });
    this.changed();
  }

  /** Whether `file` is one of this project's definition files (`cac validate` would read it). */
  owns(file: string): boolean {
    return isDefinitionPath(this.settings, file);
  }

  /** The editor's text replaces the file's until the buffer closes. */
  setBuffer(file: string, text: string): void {
    const tracked = this.files.get(file);
    if (tracked && tracked.text === text) {
      // Opening a file as it is on disk changes nothing: its analysis stands.
      tracked.buffer = true;
      return;
    }
    // The same entry is kept, so its per-document analyses are reused for the new text.
    this.files.set(file, { ...tracked, path: file, text, readProblems: [], buffer: true, stale: true });
    this.changed();
  }

  /**
   * Parses an open buffer one YAML document at a time ahead of its first edit, so that edit
   * re-parses one document instead of all of them. Called when the editor is idle after an open.
   */
  primeDocumentParts(file: string): void {
    const tracked = this.files.get(file);
    if (!tracked?.buffer || tracked.text === undefined || tracked.parts) return;
    tracked.parts = new DocumentPartsAnalyzer();
    tracked.parts.analyze(this.settings, { path: file, text: tracked.text });
  }

  /** Back to the file on disk (or gone, for a buffer that was never saved). */
  closeBuffer(file: string): void {
    const tracked = this.files.get(file);
    if (!tracked?.buffer) return;
    if (this.scan && fs.existsSync(file) && readDefinitionText(file, []) === tracked.text) {
      // Closed without unsaved changes: the file says what the buffer said.
      tracked.buffer = false;
      tracked.parts = undefined;
      return;
    }
    this.files.delete(file);
    this.readFromDisk(file);
  }

  /** A definition file changed on disk; ignored while it is open (the buffer wins). */
  diskChanged(file: string): void {
    if (this.files.get(file)?.buffer) return;
    this.files.delete(file);
    this.readFromDisk(file);
  }

  /** A snapshot file changed on disk: forget what was read of its datastore. */
  snapshotsChanged(file: string): void {
    if (this.snapshots.invalidatePath(file)) this.changed();
  }

  /** A sync of this server wrote a datastore's snapshots. */
  datastoreSynced(datastore: string): void {
    this.snapshots.forget(datastore);
    this.changed();
  }

  /** Every definition file analyzed and combined (cross-file rules included); snapshot checks are not needed for it. */
  get workspace(): Workspace {
    this.refreshWorkspace();
    return this.combined!;
  }

  /**
   * The last combined workspace, even if an edit is pending: completion reads datastore names
   * from it without re-parsing the file being typed (its own text is read by completion itself).
   */
  get latestWorkspace(): Workspace {
    return this.combined ?? this.lastCombined ?? this.workspace;
  }

  analysisOf(file: string): DefinitionFileAnalysis | undefined {
    const tracked = this.files.get(file);
    if (!tracked) return undefined;
    if (tracked.stale) this.refreshWorkspace();
    return tracked.analysis;
  }

  /** Tracked files inside a folder (for a folder deleted or renamed as a whole). */
  trackedFilesUnder(folder: string): string[] {
    const prefix = folder + path.sep;
    return [...this.files.keys()].filter((file) => file.startsWith(prefix));
  }

  textOf(file: string): string | undefined {
    return this.files.get(file)?.text;
  }

  /** Every file's problems (an empty list for a clean file), sorted, after suppression comments. */
  problemsByFile(): Map<string, Problem[]> {
    this.refreshProblems();
    return this.problems!;
  }

  /**
   * Parses the YAML of the largest definition files on disk, up to `budget` characters, one file
   * per `pause` (an analysis from the cache parses on this first ask; a fresh one has its parse
   * already, and then the parser is warm anyway). A start that parsed nothing leaves the YAML
   * parser cold (not yet optimized by the JIT), and the first large file opened or typed in would
   * pay for it: ~280 ms instead of ~110 ms for 5,000 lines. The parses are kept for hover and
   * navigation, which need them anyway.
   */
  async warmUpParser(budget: number, pause: () => Promise<void>): Promise<void> {
    const unparsed = [...this.files.values()]
      .filter((tracked) => !tracked.buffer && tracked.analysis && tracked.text !== undefined)
      .sort((a, b) => b.text!.length - a.text!.length);
    let parsed = 0;
    for (const tracked of unparsed) {
      if (parsed >= budget) return;
      void tracked.analysis?.parsed;
      parsed += tracked.text!.length;
      await pause();
    }
  }

  /**
   * Checks the overrides of each file against the snapshots, one file per `pause`, and keeps
   * what it found for {@link problemsByFile}. Reading snapshots is the slow part of a first
   * check (11,000 snapshot files take about a second cold), so a host that wants to answer
   * before it is done calls this between its other work; the result is the same as one pass.
   */
  async checkSnapshotsStepwise(pause: () => Promise<void>): Promise<void> {
    const workspace = this.workspace;
    const defined = new Set(workspace.datastores.map((d) => d.name));
    for (const tracked of [...this.files.values()]) {
      // An edit in between made a newer workspace: its own pass checks what is left.
      if (this.combined !== workspace) return;
      if (!tracked.analysis || tracked.analysis.overrides.length === 0) continue;
      this.snapshotProblems(workspace, defined, tracked);
      await pause();
    }
  }

  /** Files whose buffers or disk text have not been analyzed yet. */
  get isStale(): boolean {
    return this.problems === undefined;
  }

  get fileCount(): number {
    return this.combined?.files.length ?? 0;
  }

  private readFromDisk(file: string): void {
    // A deleted file is simply gone, not unreadable.
    if (this.scan && this.owns(file) && fs.existsSync(file)) {
      const readProblems: Problem[] = [];
      const text = readWorkspaceFile(this.settings, file, readProblems);
      this.files.set(file, { path: file, text, readProblems, buffer: false, stale: true });
    }
    this.changed();
  }

  private changed(): void {
    this.combined = undefined;
    this.problems = undefined;
  }

  /**
   * One file's overrides checked against the snapshots, kept until the file, the definition of a
   * datastore it names, or that datastore's snapshots change. The same engine call as `cac
   * validate` (checkOverridesAgainstSnapshots), one file at a time.
   */
  private snapshotProblems(workspace: Workspace, defined: ReadonlySet<string>, tracked: TrackedFile): Problem[] {
    const overrides = tracked.analysis!.overrides;
    if (overrides.length === 0) return [];
    const key = overrides.map((o) => `${o.datastore}\u0000${defined.has(o.datastore) ? 1 : 0}\u0000${this.snapshots.versionOf(o.datastore)}`).join('\u0001');
    const cached = tracked.snapshotChecks;
    if (cached && cached.analysis === tracked.analysis && cached.key === key) return cached.problems;
    const problems = checkOverridesAgainstSnapshots({ ...workspace, overrides }, this.snapshots);
    tracked.snapshotChecks = { analysis: tracked.analysis!, key, problems };
    return problems;
  }

  private refreshWorkspace(): void {
    if (this.combined) return;
    const analyses: DefinitionFileAnalysis[] = [];
    for (const tracked of this.files.values()) {
      if (tracked.stale) {
        const file = { path: tracked.path, text: tracked.text ?? '' };
        // Files on disk are read exactly as `cac validate` reads them; a buffer being edited keeps
        // one analysis per YAML document, so the next keystroke re-parses only its document.
        tracked.analysis = tracked.text === undefined ? undefined
          : tracked.buffer ? (tracked.parts ??= new DocumentPartsAnalyzer()).analyze(this.settings, file)
          : this.analyzeOnDisk(file);
        tracked.stale = false;
      }
      if (tracked.analysis) analyses.push(tracked.analysis);
    }
    const workspace = combineDefinitionFiles(this.settings, analyses);
    this.combined = workspace;
    this.lastCombined = workspace;
  }

  private analyzeOnDisk(file: { path: string; text: string }): DefinitionFileAnalysis | undefined {
    const kept = this.cache?.lookup(file.path, file.text);
    if (kept !== undefined) {
      this.analysesFromCache++;
      return kept ?? undefined;
    }
    const analysis = analyzeDefinitionFile(this.settings, file);
    this.cache?.remember(file.path, file.text, analysis);
    return analysis;
  }

  private refreshProblems(): void {
    if (this.problems) return;
    const workspace = this.workspace;
    const all = [...this.projectProblems, ...workspace.problems];
    const defined = new Set(workspace.datastores.map((d) => d.name));
    for (const tracked of this.files.values()) if (tracked.analysis) all.push(...this.snapshotProblems(workspace, defined, tracked));
    for (const tracked of this.files.values()) all.push(...tracked.readProblems);
    const byFile = new Map<string, Problem[]>();
    for (const file of this.files.keys()) byFile.set(file, []);
    for (const problem of all) {
      let list = byFile.get(problem.file);
      if (!list) byFile.set(problem.file, (list = []));
      list.push(problem);
    }
    const catalogFiles = new Set(workspace.files);
    for (const [file, problems] of byFile) {
      const text = this.files.get(file)?.text;
      // As `cac validate`: comments are read in catalog files and in files with problems only.
      const final = text === undefined || (problems.length === 0 && !catalogFiles.has(file)) ? problems : suppressInFile(file, text, problems);
      byFile.set(file, final.sort(compareProblems));
    }
    this.problems = byFile;
  }
}

interface TrackedFile {
  path: string;
  /** Undefined when the file could not be read (its problem is in `readProblems`). */
  text: string | undefined;
  readProblems: Problem[];
  /** True while the editor has it open: its text is the buffer's. */
  buffer: boolean;
  stale: boolean;
  analysis?: DefinitionFileAnalysis;
  snapshotChecks?: { analysis: DefinitionFileAnalysis; key: string; problems: Problem[] };
  /** Keeps the analysis of each YAML document, so an edit re-parses only the documents it touched. */
  parts?: DocumentPartsAnalyzer;
}
