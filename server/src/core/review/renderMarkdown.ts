import { describeIdentifier } from '../snapshots/diff';
import type { FieldInfo, IdentifierInfo } from '../model';
import { breakingPhrase, changeLabel, containerHeadline, summaryPhrases } from './describeReview';
import { codeBlock, htmlCode, markdownCode } from './markdownEscape';
import type { CatalogReview, ContainerReview, ReviewChange, ReviewSide } from './reviewModel';

/** GitHub refuses issue and pull-request comments longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/**
 * What a review comment may use by default: below the limit with room to spare, because GitHub
 * counts characters and we count UTF-16 code units (never fewer), and a CI step may add a line.
 */
export const DEFAULT_MARKDOWN_BUDGET = 65_000;
/** Field rows shown for one added or removed container; a 2,000-column table would crowd out every other detail. */
const MAX_FIELD_ROWS = 100;

export interface MarkdownOptions {
  /** Longest body to produce, in UTF-16 code units (default {@link DEFAULT_MARKDOWN_BUDGET}). */
  maxLength?: number;
  /** Where a reader finds the whole review when the comment is shortened. */
  fullReview?: { url?: string; command?: string };
}

/**
 * A review as one pull-request comment: a hidden marker (so CI updates one comment in place), a
 * one-line summary with counts, a warning when anything breaks, a table of containers and a
 * collapsed `<details>` per container. Over the budget, container rows and details are left out
 * from the end (breaking containers come first, so they stay) and a note says where the full review
 * is; the summary is always complete.
 */
export function renderReviewMarkdown(review: CatalogReview, options: MarkdownOptions = {}): string {
  const limit = options.maxLength ?? DEFAULT_MARKDOWN_BUDGET;
  const head = headBlocks(review);
  const rows = review.containers.map(tableRow);
  const details = review.containers.map(detailsBlock);
  const warnings = warningsBlock(review);
  const full = assemble(head, rows, 0, warnings, details, undefined);
  if (full.length <= limit) return full;

  // Shortened: fill the budget in order (rows, then the warnings, then details), then make room
  // for the note by dropping from the end until everything fits.
  let shownRows = 0;
  let shownDetails = 0;
  let withWarnings = false;
  let used = assemble(head, [], review.containers.length, undefined, [], truncationNote(review, 0, 0, options)).length;
  for (const row of rows) {
    if (used + row.length + 1 > limit) break;
    used += row.length + 1;
    shownRows += 1;
  }
  if (shownRows === rows.length && warnings !== undefined && used + warnings.length + 2 <= limit) {
    used += warnings.length + 2;
    withWarnings = true;
  }
  if (shownRows === rows.length) {
    for (const block of details) {
      if (used + block.length + 2 > limit) break;
      used += block.length + 2;
      shownDetails += 1;
    }
  }
  for (;;) {
    const body = assemble(head, rows.slice(0, shownRows), review.containers.length - shownRows, withWarnings ? warnings : undefined,
      details.slice(0, shownDetails), truncationNote(review, shownRows, shownDetails, options));
    if (body.length <= limit || (shownRows === 0 && shownDetails === 0 && !withWarnings)) return body;
    if (shownDetails > 0) shownDetails -= 1;
    else if (withWarnings) withWarnings = false;
    else shownRows -= 1;
  }
}

/** The hidden first line a CI job searches for to update its one comment: `<!-- cac-review: all -->`. */
export function reviewMarker(scope: readonly string[] | undefined): string {
  const name = scope && scope.length > 0 ? scope.join(',') : 'all';
  // Datastore names are schema-checked already; still, nothing may end the comment early.
  return `<!-- cac-review: ${name.replace(/[^A-Za-z0-9_.,-]/g, '_').replace(/-(?=-)/g, '-_')} -->`;
}

/** The line that says what is compared; the only line that differs between a dry run and a diff of the same change. */
export function sidesLine(base: ReviewSide, head: ReviewSide): string {
  return `Compares ${sideText(base)} with ${sideText(head)}.`;
}

function headBlocks(review: CatalogReview): string[] {
  const { summary } = review;
  const scope = review.scope === undefined ? 'all datastores' : review.scope.map((name) => markdownCode(name)).join(', ');
  const blocks = [reviewMarker(review.scope), `### Catalog review: ${scope}`, ''];
  if (!summary.changed) blocks.push('**No changes** to the snapshots.');
  else {
    const { containers, fields } = summaryPhrases(summary);
    const parts = [containers.length > 0 ? `**${containers.join(', ')}**` : '**No container changes**'];
    if (fields.length > 0) parts.push(fields.join(', '));
    parts.push(summary.breaking > 0 ? `**⚠️ ${breakingPhrase(summary)}**` : 'no breaking changes');
    blocks.push(parts.join(' · '));
  }
  blocks.push('', sidesLine(review.base, review.head));
  if (summary.breaking > 0) {
    blocks.push('', [
      '> [!WARNING]',
      `> **${breakingPhrase(summary)}** in ${summary.breaking_containers} container${summary.breaking_containers === 1 ? '' : 's'}: `
        + 'readers of a removed container or field, a changed type or kind, or a changed incremental or partition identifier may fail. '
        + 'Check the containers marked ⚠️ before merging.',
    ].join('\n'));
  }
  for (const note of review.notes.filter((n) => n.level === 'error')) {
    blocks.push('', ['> [!CAUTION]', `> The sync of ${markdownCode(note.datastore)} failed, so its changes are not in this review: ${markdownCode(note.message)}`].join('\n'));
  }
  if (review.bookkeeping.length > 0) {
    blocks.push('', `Snapshot files of ${review.bookkeeping.map((name) => markdownCode(name)).join(', ')} differ without a container change (the snapshot index, or a snapshot's file name or formatting).`);
  }
  return blocks;
}

function assemble(head: string[], rows: string[], hiddenRows: number, warnings: string | undefined, details: string[], note: string | undefined): string {
  const blocks = [...head];
  if (note !== undefined) blocks.push('', note);
  if (rows.length > 0 || hiddenRows > 0) {
    blocks.push('', '| | Datastore | Container | Kind | Change | Breaking |', '| :-: | --- | --- | --- | --- | :-: |', ...rows);
    if (hiddenRows > 0) blocks.push(`| … | | ${hiddenRows} more container${hiddenRows === 1 ? '' : 's'} | | not shown (see below) | |`);
  }
  if (warnings !== undefined) blocks.push('', warnings);
  for (const block of details) blocks.push('', block);
  return blocks.join('\n') + '\n';
}

function tableRow(container: ContainerReview): string {
  const breakingCount = container.change === 'removed' ? 1 : container.changes.filter((c) => c.breaking).length;
  const cells = [
    ICONS[container.change],
    markdownCode(container.datastore, { inTable: true }),
    markdownCode(container.name, { inTable: true }),
    container.kind === undefined ? '' : markdownCode(container.kind, { inTable: true }),
    tableSafe(containerHeadline(container)),
    breakingCount === 0 ? '' : breakingCount === 1 ? '⚠️' : `⚠️ ${breakingCount}`,
  ];
  return `| ${cells.join(' | ')} |`;
}

function detailsBlock(container: ContainerReview): string {
  const summary = `${container.breaking ? '⚠️' : ICONS[container.change]} ${htmlCode(container.datastore)} / ${htmlCode(container.name)}: ${escapeSummaryText(containerHeadline(container))}`;
  const body = container.change === 'changed' ? changesTable(container.changes) : fieldsTable(container);
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

function changesTable(changes: readonly ReviewChange[]): string {
  const lines = ['| Change | Field | Before | After | Breaking |', '| --- | --- | --- | --- | :-: |'];
  for (const change of changes) {
    const value = (text: string | undefined): string => (text === undefined || text === '' ? '' : markdownCode(text, { inTable: true }));
    lines.push(`| ${changeLabel(change)} | ${value(change.field)} | ${value(change.from)} | ${value(change.to)} | ${change.breaking ? '⚠️' : ''} |`);
  }
  return lines.join('\n');
}

function fieldsTable(container: ContainerReview): string {
  const fields = container.fields ?? [];
  const lines = [`${container.change === 'removed' ? 'Fields it had' : 'Fields'}:`, '', '| Field | Type | Nullable | Key |', '| --- | --- | --- | --- |'];
  for (const field of fields.slice(0, MAX_FIELD_ROWS)) lines.push(fieldRow(field));
  if (fields.length > MAX_FIELD_ROWS) lines.push(`| … | ${fields.length - MAX_FIELD_ROWS} more fields | | |`);
  if (container.change === 'added' && container.incremental_identifier && container.partition_identifier) {
    lines.push('', `Incremental identifier ${identifierCode(container.incremental_identifier)}, partition identifier ${identifierCode(container.partition_identifier)}.`);
  }
  return lines.join('\n');
}

function fieldRow(field: FieldInfo): string {
  const key = field.primary_key !== undefined ? `primary key #${field.primary_key}` : '';
  return `| ${markdownCode(field.name, { inTable: true })} | ${markdownCode(field.type, { inTable: true })} | ${field.nullable ? 'NULL' : 'NOT NULL'} | ${key} |`;
}

function identifierCode(identifier: IdentifierInfo): string {
  return markdownCode(describeIdentifier(identifier));
}

function warningsBlock(review: CatalogReview): string | undefined {
  const warnings = review.notes.filter((n) => n.level === 'warning');
  if (warnings.length === 0) return undefined;
  const shown = warnings.slice(0, 50).map((n) => `${n.datastore} · ${n.code}${n.container !== undefined ? ` · ${n.container}` : ''}: ${n.message}`);
  if (warnings.length > shown.length) shown.push(`… ${warnings.length - shown.length} more in the sync's output`);
  return `<details><summary>⚠️ ${warnings.length} sync warning${warnings.length === 1 ? '' : 's'}</summary>\n\n${codeBlock(shown)}\n\n</details>`;
}

function truncationNote(review: CatalogReview, shownRows: number, shownDetails: number, options: MarkdownOptions): string {
  const total = review.containers.length;
  const where: string[] = [];
  const url = safeLink(options.fullReview?.url);
  if (url !== undefined) where.push(`The full review is in [the CI job log](<${url}>).`);
  if (options.fullReview?.command !== undefined) where.push(`Run ${markdownCode(options.fullReview.command)} for the full review.`);
  if (where.length === 0) where.push('The full review is in the text output of the same command (the CI job log).');
  return [
    '> [!NOTE]',
    `> Shortened to fit a GitHub comment: the table lists ${shownRows} of ${total} changed container${total === 1 ? '' : 's'}, with details for ${shownDetails}. ${where.join(' ')}`,
  ].join('\n');
}

/** An http(s) URL as a link target that cannot leave its `<…>` brackets; anything else is not linked. */
function safeLink(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    return parsed.href.replace(/[<>\s`\\]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  } catch {
    return undefined;
  }
}

function sideText(side: ReviewSide): string {
  if (side.commit === undefined) return side.label;
  const short = side.commit.slice(0, 7);
  return side.ref !== undefined ? `${markdownCode(side.ref)} (${short})` : markdownCode(short);
}

/** Engine-made words in a table cell: they hold no untrusted text except through describe*, whose values are code-escaped elsewhere. */
function tableSafe(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function escapeSummaryText(text: string): string {
  return text.replace(/[&<>]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : '&gt;'));
}

const ICONS: Record<ContainerReview['change'], string> = { added: '➕', removed: '➖', changed: '✏️' };
