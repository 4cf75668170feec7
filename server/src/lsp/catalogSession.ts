import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Connection, Diagnostic } from 'vscode-languageserver/node';
import { CatalogProject, OperationStore, type DefinitionAnalysisCache, type Problem } from '../core';
import { OperationChangedNotification, type OperationChangedParams } from '../protocol/catalogProtocol';
import { toDiagnostic, uriOf } from './convert';
import { isOperationRecordPath } from './fileEvents';

/**
 * The server's state: one {@link CatalogProject} per workspace folder, the editor's buffers
 * routed to their project, and diagnostics published for every definition file. An edit after
 * a pause is validated at once; edits arriving faster than `validationDelayMs` apart wait until
 * that long after the last one, so a burst of keystrokes costs one pass. A pass re-analyzes the
 * changed files only and publishes the files whose diagnostics changed, edited files first.
 */
export class CatalogSession {
  private readonly projects = new Map<string, CatalogProject>();
  /** What was last sent per URI, to send only changes. */
  private readonly published = new Map<string, { file: string; version: number | undefined; fingerprint: string }>();
  private readonly urgent = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private lastScheduled = 0;

  private cacheTimer: NodeJS.Timeout | undefined;

  /** `cacheFor`: where a workspace folder keeps its analyses between sessions (none: analyze every start). */
  constructor(
    private readonly connection: Connection,
    private readonly versionOf: (uri: string) => number | undefined,
    private validationDelayMs: number,
    private readonly cacheFor: (root: string) => DefinitionAnalysisCache | undefined = () => undefined,
  ) {}

  /** Adds a workspace folder: reads its settings and every definition file. */
  addRoot(root: string): CatalogProject {
    const resolved = path.resolve(root);
    let project = this.projects.get(resolved);
    if (!project) {
      project = new CatalogProject(resolved, true, this.cacheFor(resolved));
      this.projects.set(resolved, project);
    }
    return project;
  }

  /** Writes the analysis caches now (after the load, at shutdown). */
  saveCaches(): void {
    if (this.cacheTimer) clearTimeout(this.cacheTimer);
    this.cacheTimer = undefined;
    for (const project of this.projects.values()) project.saveCache();
  }

  /** Writes the caches a few seconds after the last validation, off the typing path. */
  private saveCachesSoon(): void {
    if (this.cacheTimer) clearTimeout(this.cacheTimer);
    this.cacheTimer = setTimeout(() => this.saveCaches(), CACHE_SAVE_DELAY_MS);
    this.cacheTimer.unref();
  }

  removeRoot(root: string): void {
    const project = this.projects.get(path.resolve(root));
    if (!project) return;
    this.projects.delete(project.root);
    for (const file of project.problemsByFile().keys()) this.clear(uriOf(file));
  }

  get roots(): string[] {
    return [...this.projects.keys()];
  }

  allProjects(): CatalogProject[] {
    return [...this.projects.values()];
  }

  /**
   * The project a file belongs to: the deepest workspace folder that holds it as a definition
   * file. A file outside every folder gets a loose project of its own folder (`create`), which
   * never scans: only the open files of that folder are read.
   */
  projectFor(file: string, create = false): CatalogProject | undefined {
    const best = this.deepestHolding(file);
    if (best && !best.owns(file) && create) {
      // A nested catalog.yaml makes its folder a project of its own (definitionFiles.ts): open it as one.
      const nested = nestedProjectRoot(best.root, file);
      if (nested) return this.addRoot(nested);
    }
    if (best || !create) return best && best.owns(file) ? best : undefined;
    const loose = new CatalogProject(path.dirname(file), false);
    this.projects.set(loose.root, loose);
    return loose.owns(file) ? loose : undefined;
  }

  /** The project named by a request's `projectUri` (any path inside it), or the only one. */
  projectAt(file: string | undefined): CatalogProject | undefined {
    if (file === undefined) return this.projects.size === 1 ? [...this.projects.values()][0] : undefined;
    return this.deepestHolding(file);
  }

  /** The project whose root is the deepest folder holding `file` (nested workspace folders). */
  private deepestHolding(file: string): CatalogProject | undefined {
    let best: CatalogProject | undefined;
    for (const project of this.projects.values()) {
      const inside = file === project.root || file.startsWith(project.root + path.sep);
      if (inside && (!best || project.root.length > best.root.length)) best = project;
    }
    return best;
  }

  /** An open document's text changed; `immediate` for a newly opened one (no reason to wait). */
  bufferChanged(file: string, text: string, immediate = false): void {
    const project = this.projectFor(file, true);
    if (!project) return;
    project.setBuffer(file, text);
    this.schedule(file, immediate ? 0 : undefined);
    if (immediate) {
      // Once the open is answered and the editor idle, prepare the per-document parses the first edit needs.
      const timer = setTimeout(() => project.primeDocumentParts(file), PRIME_AFTER_OPEN_MS);
      timer.unref();
    }
  }

  bufferClosed(file: string): void {
    const project = this.projectFor(file);
    if (!project) return;
    project.closeBuffer(file);
    this.schedule(file);
  }

  /** A file changed on disk (client watcher or our own): a snapshot, the settings, or a definition. */
  fileChanged(file: string): void {
    for (const project of this.projects.values()) {
      const relative = path.relative(project.root, file);
      if (relative.startsWith('..') || path.isAbsolute(relative)) continue;
      if (path.dirname(file) === path.join(project.settings.stateDir, 'operations')) {
        if (isOperationRecordPath(file)) this.operationRecordChanged(project, file);
        continue;
      }
      if (file === project.settings.snapshotsDir || file.startsWith(project.settings.snapshotsDir + path.sep)) {
        project.snapshotsChanged(file);
      } else if (file === path.join(project.root, 'catalog.yaml')) {
        project.reload();
      } else if (project.owns(file)) {
        project.diskChanged(file);
      } else {
        // A deleted or moved folder: every definition file that was under it.
        for (const inside of project.trackedFilesUnder(file)) project.diskChanged(inside);
      }
    }
    this.schedule();
  }

  /** An operation record was written (by this server, the CLI, a daemon or the API): tell the client. */
  private operationRecordChanged(project: CatalogProject, file: string): void {
    const record = new OperationStore(project.settings.stateDir).get(Number(path.basename(file, '.json')));
    if (!record) return;
    const params: OperationChangedParams = { operationId: record.id, datastore: record.datastore.name, result: record.result, progress: { done: record.progress.done, total: record.progress.total } };
    void this.connection.sendNotification(OperationChangedNotification.method, params);
  }

  setValidationDelay(ms: number): void {
    this.validationDelayMs = Math.max(0, ms);
  }

  /** Validates after the delay; `file` is published first when it is the one being edited. */
  schedule(file?: string, delayMs?: number): void {
    const now = Date.now();
    // The first edit after a pause is validated at once (messages already queued are read
    // first, so a burst still costs one pass); edits coming faster than the delay wait for it.
    const delay = delayMs ?? (now - this.lastScheduled >= this.validationDelayMs ? 0 : this.validationDelayMs);
    this.lastScheduled = now;
    if (file) this.urgent.add(file);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.validateNow(), delay);
  }

  /** Analyzes every project's definition files (what features need); snapshot checks wait for {@link checkAll}. */
  analyzeAll(): void {
    for (const project of this.projects.values()) void project.workspace;
  }

  /**
   * Runs the checks that read snapshots a step at a time, letting requests and edits in between,
   * then publishes every project's diagnostics. Returns how many files have problems.
   */
  async checkAll(): Promise<number> {
    const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    for (const project of [...this.projects.values()]) await project.warmUpParser(PARSER_WARM_UP_CHARS, yieldToEvents);
    for (const project of [...this.projects.values()]) await project.checkSnapshotsStepwise(yieldToEvents);
    this.validateNow();
    let filesWithProblems = 0;
    for (const project of this.projects.values()) for (const problems of project.problemsByFile().values()) if (problems.length > 0) filesWithProblems++;
    return filesWithProblems;
  }

  /** Validates every project with pending changes and publishes what changed. */
  validateNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const first = [...this.urgent];
    this.urgent.clear();
    for (const project of this.projects.values()) {
      // An opened or edited document is answered even when nothing changed: it has a new version.
      if (!project.isStale && !first.some((file) => this.projectFor(file) === project)) continue;
      try {
        this.publishProject(project, first);
      } catch (error) {
        // The engine does not throw on user input; anything else is our bug, never a crash.
        this.connection.console.error(`Validating ${project.root} failed: ${(error as Error).stack ?? String(error)}`);
      }
    }
    this.saveCachesSoon();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.saveCaches();
  }

  private publishProject(project: CatalogProject, first: readonly string[]): void {
    const problems = project.problemsByFile();
    const order = [...first.filter((f) => problems.has(f)), ...[...problems.keys()].filter((f) => !first.includes(f))];
    for (const file of order) this.publish(file, problems.get(file)!);
    // A file that left the project (deleted, excluded) keeps no stale diagnostics.
    for (const [uri, sent] of [...this.published]) {
      if (!problems.has(sent.file) && this.projectAt(sent.file) === project) this.clear(uri);
    }
  }

  private publish(file: string, problems: readonly Problem[]): void {
    const uri = uriOf(file);
    const diagnostics: Diagnostic[] = problems.map(toDiagnostic);
    const fingerprint = JSON.stringify(diagnostics);
    const version = this.versionOf(uri);
    const last = this.published.get(uri);
    if (version === undefined) {
      // A file that is not open: only a change is worth a message (and a clean file needs none).
      if (last ? last.fingerprint === fingerprint : diagnostics.length === 0) return;
    } else if (last && last.version === version && last.fingerprint === fingerprint) {
      return;
    }
    this.published.set(uri, { file, version, fingerprint });
    void this.connection.sendDiagnostics({ uri, diagnostics, ...(version !== undefined ? { version } : {}) });
  }

  private clear(uri: string): void {
    if (!this.published.delete(uri)) return;
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }
}

/** How much cached YAML a start parses to warm the parser up (two 5,000-line files). */
const PARSER_WARM_UP_CHARS = 256 * 1024;

/** How long after the last validation the analysis caches are written. */
const CACHE_SAVE_DELAY_MS = 3000;

/** How long after an open the per-document parses of its file are prepared (documentParts.ts). */
const PRIME_AFTER_OPEN_MS = 200;

/** The deepest folder between `root` (excluded) and `file` that holds a catalog.yaml, if any. */
function nestedProjectRoot(root: string, file: string): string | undefined {
  for (let folder = path.dirname(file); folder.startsWith(root + path.sep); folder = path.dirname(folder)) {
    if (fs.existsSync(path.join(folder, 'catalog.yaml'))) return folder;
  }
  return undefined;
}
