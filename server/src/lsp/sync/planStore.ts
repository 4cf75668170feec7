import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { hashOfText } from '../../core';
import type { SyncJob } from './syncJob';

/**
 * The plans previews showed (`catalog/previewPlan`), kept in memory until they are applied: a
 * few per project, and only the newest per datastore (an older one can no longer be applied
 * as it was shown). Planned texts are kept; committed texts are read again from disk and
 * checked against the hash taken at the preview, so a plan costs one copy of what it writes.
 */
export class PlanStore {
  private readonly plans = new Map<string, KeptPlan>();

  constructor(private readonly perProject = PLANS_PER_PROJECT) {}

  keep(plan: Omit<KeptPlan, 'planId'>): KeptPlan {
    for (const [id, kept] of this.plans) {
      if (kept.root === plan.root && kept.datastore === plan.datastore) this.plans.delete(id);
    }
    const kept: KeptPlan = { ...plan, planId: randomUUID() };
    this.plans.set(kept.planId, kept);
    const ofProject = [...this.plans.values()].filter((p) => p.root === plan.root);
    // Maps iterate in insertion order: the first ones are the oldest.
    for (const old of ofProject.slice(0, Math.max(0, ofProject.length - this.perProject))) this.plans.delete(old.planId);
    return kept;
  }

  get(planId: string): KeptPlan | undefined {
    return this.plans.get(planId);
  }

  drop(planId: string): void {
    this.plans.delete(planId);
  }
}

export interface KeptPlan {
  planId: string;
  root: string;
  datastore: string;
  options: SyncJob['options'];
  /** planFingerprint of `files`: what `catalog/applyPreview` asks the engine to write. */
  fingerprint: string;
  /** By URI. */
  files: Map<string, KeptFile>;
}

export interface KeptFile {
  path: string;
  /** The text the plan writes; null when it deletes the file. */
  planned: string | null;
  committedHash: string | null;
}

/** The file's text on disk when the preview was made; undefined when it changed since. */
export function committedTextOf(file: KeptFile): string | null | undefined {
  if (file.committedHash === null) return fs.existsSync(file.path) ? undefined : null;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file.path);
  } catch {
    return undefined;
  }
  return hashOfText(bytes) === file.committedHash ? bytes.toString('utf8') : undefined;
}

const PLANS_PER_PROJECT = 4;
