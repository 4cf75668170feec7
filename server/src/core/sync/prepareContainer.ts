import { decideIdentifiers, type DetectionOptions } from '../identifiers/identifiers';
import type { ContainerKind, ContainerOverride, ContainerSnapshot, DiscoveredContainer, OperationLogEntry } from '../model';
import { renderSnapshot } from '../snapshots/render';

/**
 * A discovered container made ready to plan: its identifiers decided, its snapshot rendered.
 * It keeps the text, not the fields, so a container prepared while the source still streams
 * (DiscoveryContext.handOver) costs its ~1 KB of text from then on, not its field objects.
 */
export interface PreparedContainer {
  name: string;
  kind: ContainerKind;
  schema?: string;
  text: string;
  fieldCount: number;
  /** The identifier problems of its override, as operation warnings. */
  problems: OperationLogEntry[];
}

/** A prepared container that still holds its snapshot, for the plan to diff against the committed one. */
export interface PreparedSnapshot extends PreparedContainer {
  snapshot: ContainerSnapshot;
}

export function prepareContainer(container: DiscoveredContainer, override: ContainerOverride | undefined, detection: DetectionOptions | undefined): PreparedSnapshot {
  const decision = decideIdentifiers(container, override, detection);
  const problems = decision.problems.map((problem): OperationLogEntry => ({ level: 'warning', code: problem.code, container: container.name, message: problem.message }));
  const snapshot: ContainerSnapshot = { ...container, incremental_identifier: decision.incremental, partition_identifier: decision.partition };
  const prepared: PreparedSnapshot = { name: container.name, kind: container.kind, text: renderSnapshot(snapshot), fieldCount: container.fields.length, problems, snapshot };
  if (container.schema !== undefined) prepared.schema = container.schema;
  return prepared;
}

/**
 * Prepares the containers a connector hands over during its discovery. A file container is kept
 * whole instead: the plan may find it renamed (a family whose pattern changed), and a renamed
 * container takes its old name's overrides, which only the whole plan can know.
 */
export class ContainerPreparation {
  readonly prepared: PreparedContainer[] = [];
  readonly kept: DiscoveredContainer[] = [];
  private detectionKey: string | undefined;

  constructor(private readonly overrides: ReadonlyMap<string, ContainerOverride>) {}

  take(containers: readonly DiscoveredContainer[], detection: DetectionOptions | undefined): void {
    this.noteDetection(detection);
    for (const container of containers) {
      if (container.kind === 'file') {
        this.kept.push(container);
        continue;
      }
      const { snapshot: _fields, ...prepared } = prepareContainer(container, this.overrides.get(container.name), detection);
      this.prepared.push(prepared);
    }
  }

  /**
   * The detection options of the result must be those the containers were prepared with: a
   * connector handing over before it knew them would have decided identifiers wrongly.
   */
  checkDetection(detection: DetectionOptions | undefined): void {
    if (this.detectionKey !== undefined && this.detectionKey !== keyOf(detection)) {
      throw new Error('The connector handed containers over with other detection options than its result carries.');
    }
  }

  private noteDetection(detection: DetectionOptions | undefined): void {
    const key = keyOf(detection);
    if (this.detectionKey !== undefined && this.detectionKey !== key) throw new Error('The connector handed containers over with changing detection options.');
    this.detectionKey = key;
  }
}

function keyOf(detection: DetectionOptions | undefined): string {
  return JSON.stringify(detection ?? {});
}
