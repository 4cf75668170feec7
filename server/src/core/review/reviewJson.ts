import type { FieldInfo, IdentifierInfo } from '../model';
import { describeReviewChange } from './describeReview';
import type { CatalogReview, ReviewChange, ReviewSide } from './reviewModel';

/**
 * A review as JSON with a stable shape: every key is always present (null when it does not
 * apply), keys are snake_case as in the API payloads, arrays are sorted as in the review.
 */
export function reviewJson(review: CatalogReview): object {
  return {
    base: sideJson(review.base),
    head: sideJson(review.head),
    datastores: review.scope ?? null,
    changed: review.summary.changed,
    breaking: review.summary.breaking > 0,
    summary: review.summary,
    containers: review.containers.map((container) => ({
      datastore: container.datastore,
      name: container.name,
      kind: container.kind ?? null,
      change: container.change,
      reason: container.reason ?? null,
      breaking: container.breaking,
      changes: container.changes.map(changeJson),
      fields: container.fields ? container.fields.map(fieldJson) : null,
      incremental_identifier: identifierJson(container.incremental_identifier),
      partition_identifier: identifierJson(container.partition_identifier),
    })),
    bookkeeping: review.bookkeeping,
    notes: review.notes.map((note) => ({ level: note.level, datastore: note.datastore, code: note.code, container: note.container ?? null, message: note.message })),
  };
}

function sideJson(side: ReviewSide): object {
  return { label: side.label, ref: side.ref ?? null, commit: side.commit ?? null };
}

function changeJson(change: ReviewChange): object {
  return {
    change: change.change,
    field: change.field ?? null,
    identifier: change.identifier ?? null,
    from: change.from ?? null,
    to: change.to ?? null,
    breaking: change.breaking,
    description: describeReviewChange(change),
  };
}

function fieldJson(field: FieldInfo): object {
  return { name: field.name, type: field.type, nullable: field.nullable, primary_key: field.primary_key ?? null };
}

function identifierJson(identifier: IdentifierInfo | undefined): object | null {
  if (identifier === undefined) return null;
  return { field: identifier.field, fields: identifier.fields ?? null, strategy: identifier.strategy, source: identifier.source };
}
