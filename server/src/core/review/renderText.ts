import { breakingPhrase, containerHeadline, describeReviewChange, scopePhrase, summaryPhrases } from './describeReview';
import { visible } from '../text/visible';
import type { CatalogReview, ContainerReview, ReviewSide } from './reviewModel';
import { compareText } from '../text/order';

/** Colours a host may apply; the engine only says what is what. */
export interface TextStyle {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
}

const PLAIN: TextStyle = { bold: (t) => t, dim: (t) => t, red: (t) => t, green: (t) => t, yellow: (t) => t };

/**
 * A review for a terminal or a CI log: the full review, never shortened, grouped by datastore.
 * Every value goes through `visible`, so a name holding escape sequences or line breaks cannot
 * rewrite the terminal or forge lines in a log.
 */
export function renderReviewText(review: CatalogReview, style: TextStyle = PLAIN): string {
  const out: string[] = [];
  out.push(style.bold(`Catalog review of ${visible(scopePhrase(review.scope))}: ${sideText(review.base)} → ${sideText(review.head)}`));
  const { summary } = review;
  if (!summary.changed) {
    out.push('No changes to the snapshots.');
  } else {
    const { containers, fields } = summaryPhrases(summary);
    const parts = [containers.length > 0 ? containers.join(', ') : 'no container changes'];
    if (fields.length > 0) parts.push(fields.join(', '));
    parts.push(summary.breaking > 0 ? style.red(breakingPhrase(summary)) : 'no breaking changes');
    out.push(parts.join(' · '));
  }
  for (const note of review.notes) {
    const label = note.level === 'error' ? style.red('error') : style.yellow('warning');
    out.push(`${label} ${style.dim(visible(note.code))}: ${visible(note.datastore)}${note.container !== undefined ? ` · ${visible(note.container)}` : ''}: ${visible(note.message)}`);
  }
  let datastore: string | undefined;
  for (const container of [...review.containers].sort((a, b) => compareText(a.datastore, b.datastore))) {
    if (container.datastore !== datastore) {
      datastore = container.datastore;
      out.push('', style.bold(visible(datastore)));
    }
    out.push(...containerLines(container, style));
  }
  if (review.bookkeeping.length > 0) {
    out.push('', style.dim(`Snapshot files of ${review.bookkeeping.map(visible).join(', ')} differ without a container change (the index, or a file's name or formatting).`));
  }
  return out.join('\n') + '\n';
}

function containerLines(container: ContainerReview, style: TextStyle): string[] {
  const mark = container.change === 'added' ? style.green('+') : container.change === 'removed' ? style.red('-') : style.yellow('~');
  const breaking = container.change === 'removed' ? ` ${style.red('(breaking)')}` : '';
  const lines = [`  ${mark} ${visible(container.name)} ${style.dim('—')} ${visible(containerHeadline(container))}${breaking}`];
  for (const change of container.changes) {
    const sentence = visible(describeReviewChange(change));
    lines.push(`      ${change.breaking ? style.red(sentence) : sentence}`);
  }
  return lines;
}

function sideText(side: ReviewSide): string {
  if (side.commit === undefined) return side.label;
  const short = side.commit.slice(0, 7);
  return side.ref !== undefined ? `${visible(side.ref)} (${short})` : short;
}
