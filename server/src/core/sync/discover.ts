import { readConnectorCache } from '../connectors/connectorCache';
import type { ConnectorTarget, DiscoveryProgress, DiscoveryRequest, DiscoveryResult } from '../connectors/contract';
import { openConnector } from '../connectors/registry';
import type { OperationRun } from '../operations/operationRun';
import type { ContainerPreparation, PreparedContainer } from './prepareContainer';

/**
 * The discover step: opens the datastore's connector, lets it describe the source (or say that
 * nothing changed since `request.unchangedSince`), and closes it whatever happens. The connector
 * gets back what it cached after the last written sync; progress and aborts go through `run`,
 * and progress to `observe` too. Containers it hands over while describing are prepared at once
 * by `preparation` (prepareContainer.ts) and come back as `prepared`.
 */
export async function discover(source: ConnectorTarget, request: DiscoveryRequest, stateDir: string, run: OperationRun, preparation: ContainerPreparation, observe?: (progress: DiscoveryProgress) => void): Promise<Discovered> {
  const connector = await openConnector(source);
  let discovery: DiscoveryResult;
  try {
    let previousCache: { value: unknown } | undefined;
    discovery = await connector.discover(request, {
      signal: run.signal,
      onProgress: (progress) => {
        observe?.(progress);
        run.report(progress);
      },
      // Read when the connector asks: a replayed resync never needs it (1 MB of JSON for 100,000 files).
      get previousCache() {
        previousCache ??= { value: readConnectorCache(stateDir, source.name) };
        return previousCache.value;
      },
      handOver: (containers, detection) => preparation.take(containers, detection),
    });
    preparation.checkDetection(discovery.detection);
  } finally {
    await connector.close();
  }
  run.stopIfAborted();
  const containers = preparation.kept.length === 0 ? discovery.containers : [...preparation.kept, ...discovery.containers];
  return { ...discovery, containers, prepared: preparation.prepared };
}

/** A connector's discovery with the containers it handed over, prepared. */
export interface Discovered extends DiscoveryResult {
  prepared: readonly PreparedContainer[];
}
