import { hasErrors, loadWorkspace, planHasChanges, type SyncPlan } from '../../server/src/core';
import { applySyncPlan } from '../../server/src/core/snapshots/applyPlan';
import { planSync } from '../../server/src/core/sync/planSync';
import type { DiscoveryResult } from '../../server/src/core/connectors/contract';
import { samplePositions, type DfsSettings } from '../../server/src/core/connectors/dfs/dfsConnector';
import { groupFolderFiles } from '../../server/src/core/connectors/dfs/globbing';
import { inferFileSchema, reconcileSchemas } from '../../server/src/core/connectors/dfs/inference';
import { LocalFileStore } from '../../server/src/core/connectors/dfs/localFileStore';
import { openConnector } from '../../server/src/core/connectors/registry';
import { readCatalogState } from '../../server/src/core/snapshots/catalogState';
import { stagingFolder } from '../../server/src/core/snapshots/fileNames';
import { readConnectorCache, writeConnectorCache } from '../../server/src/core/connectors/connectorCache';
import { resolveDatastore } from '../../server/src/core/sync/resolveDatastore';
import { assertBench } from './engine';
import { timeFlushes, type FlushTiming } from './fsProbe';
import { lapTimer, median } from './stats';

/**
 * One sync taken apart along runSync's own steps (loadWorkspace → catalog state → discover →
 * planSync → applySyncPlan → connector cache; the history record is timed in the real runs).
 * The parts of `discover` (traverse, globbing, inference) are timed by calling the connector's
 * pieces on their own just before the real discover, so they run on the same warm tree.
 */
export interface PhaseBreakdown {
  loadWorkspaceMs: number;
  stateMs: number;
  discoverMs: number;
  traverseMs: number;
  globbingMs: number;
  inferenceMs: number;
  inferenceFiles: number;
  planMs: number;
  applyMs: number;
  applyFiles: number;
  flush?: FlushTiming;
  cacheWriteMs: number;
  /** loadWorkspace + state + discover + plan + apply + cache write. */
  engineSumMs: number;
}

export async function breakdownSync(catalog: string, datastoreName: string, withCache: boolean): Promise<{ phases: PhaseBreakdown; plan: SyncPlan }> {
  const signal = new AbortController().signal;
  const lap = lapTimer();

  const workspace = loadWorkspace(catalog);
  const loadWorkspaceMs = lap();
  assertBench(!hasErrors(workspace.problems), 'the benchmark catalog has errors');
  const datastore = workspace.datastores.find((d) => d.name === datastoreName)!;
  const resolved = resolveDatastore(datastore, process.env);
  assertBench('target' in resolved, 'the benchmark datastore does not resolve');
  const settings = resolved.target.settings as DfsSettings;
  const state = readCatalogState(workspace.project.snapshotsDir, datastore.name);
  const previousCache = withCache ? readConnectorCache(workspace.project.stateDir, datastore.name) : undefined;
  const stateMs = lap();

  // The pieces of discover, on their own.
  const store = new LocalFileStore(settings.root!);
  const listing = await store.list(new Set(settings.extensions), signal);
  const traverseMs = lap();
  // With the cache, discover skips globbing and inference of unchanged folders, so only a first
  // sync times them.
  let globbingMs = 0;
  let inferenceFiles = 0;
  let inferenceMs = 0;
  if (!withCache) {
    const groupings = [...listing.folders.entries()].map(([folder, files]) => ({
      folder,
      grouping: groupFolderFiles(files.map((f) => f.name), { globbing: settings.globbing !== false, mode: settings.globbing === 'folder' ? 'folder' : 'names' }),
    }));
    globbingMs = lap();
    for (const { folder, grouping } of groupings) {
      for (const group of grouping.groups) {
        const picks = samplePositions(group.files.length, settings.sample_files);
        inferenceFiles += picks.length;
        const samples = [];
        for (const i of picks) {
          const file = folder === '.' ? group.files[i]! : `${folder}/${group.files[i]!}`;
          samples.push({ file, result: await inferFileSchema(store, file, 'csv') });
        }
        reconcileSchemas(samples);
      }
    }
    inferenceMs = lap();
  }

  lap(); // restart the stopwatch: the probes above are not part of the timed discovery
  const connector = await openConnector(resolved.target);
  let discovery: DiscoveryResult;
  try {
    discovery = await connector.discover({ include: datastore.include }, { signal, previousCache });
  } finally {
    await connector.close();
  }
  const discoverMs = lap();

  const plan = planSync({ datastore, discovery, state, overrides: new Map(), options: { prune: datastore.prune, recreate: datastore.recreate, include: datastore.include } });
  const planMs = lap();
  const applyFiles = plan.writes.length + (plan.indexChanged ? 1 : 0);
  let flush: FlushTiming | undefined;
  if (planHasChanges(plan)) {
    // Staged as runSync stages it: a first sync writes its new folder whole (atomicFiles.ts writeNewFolder).
    flush = (await timeFlushes(() => applySyncPlan(plan, state.dir, { stagingDir: stagingFolder(workspace.project.stateDir, datastore.name) }))).flush;
  }
  const applyMs = lap();
  if (discovery.cache !== undefined) writeConnectorCache(workspace.project.stateDir, datastore.name, discovery.cache);
  const cacheWriteMs = lap();

  const phases: PhaseBreakdown = {
    loadWorkspaceMs, stateMs, discoverMs, traverseMs, globbingMs, inferenceMs, inferenceFiles, planMs, applyMs, applyFiles, cacheWriteMs,
    engineSumMs: loadWorkspaceMs + stateMs + discoverMs + planMs + applyMs + cacheWriteMs,
  };
  if (flush) phases.flush = flush;
  return { phases, plan };
}

/** Field-by-field median of several breakdowns (each field on its own, so the parts need not add up exactly). */
export function medianBreakdown(runs: readonly PhaseBreakdown[]): PhaseBreakdown {
  const pick = (get: (p: PhaseBreakdown) => number): number => median(runs.map(get));
  const result: PhaseBreakdown = {
    loadWorkspaceMs: pick((p) => p.loadWorkspaceMs),
    stateMs: pick((p) => p.stateMs),
    discoverMs: pick((p) => p.discoverMs),
    traverseMs: pick((p) => p.traverseMs),
    globbingMs: pick((p) => p.globbingMs),
    inferenceMs: pick((p) => p.inferenceMs),
    inferenceFiles: pick((p) => p.inferenceFiles),
    planMs: pick((p) => p.planMs),
    applyMs: pick((p) => p.applyMs),
    applyFiles: pick((p) => p.applyFiles),
    cacheWriteMs: pick((p) => p.cacheWriteMs),
    engineSumMs: pick((p) => p.engineSumMs),
  };
  const flushes = runs.map((p) => p.flush).filter((f): f is FlushTiming => f !== undefined);
  if (flushes.length > 0) {
    result.flush = {
      syncCalls: median(flushes.map((f) => f.syncCalls)),
      syncMs: median(flushes.map((f) => f.syncMs)),
      asyncCalls: median(flushes.map((f) => f.asyncCalls)),
      asyncSumMs: median(flushes.map((f) => f.asyncSumMs)),
      asyncSpanMs: median(flushes.map((f) => f.asyncSpanMs)),
    };
  }
  return result;
}
