/**
 * Safe rendering of untrusted strings (container, field and datastore names, types, defaults,
 * comments, git refs, sync messages) in a GitHub pull-request comment. Every such string is shown
 * as code: GitHub renders nothing inside code (no emphasis, links, HTML, emoji), and its mention,
 * issue-reference and autolink filters skip code elements, so `@org/team` pings nobody. What code
 * spans cannot hold is escaped here: pipes (table cells), backtick runs (the fence), line breaks
 * and other invisible or layout-changing characters (shown as `\n`, `\u202e`…), and length.
 */
import { visible } from '../text/visible';

/** Longest name shown in full; longer ones keep their start and end around an ellipsis. */
export const MAX_SHOWN_CHARS = 160;

/** An inline code span, for Markdown text and (with `inTable`) GFM table cells. */
export function markdownCode(value: string, options: { inTable?: boolean } = {}): string {
  let shown = visible(clip(value));
  // A `|` preceded by a backslash never ends a table cell, even inside a code span (cmark-gfm's
  // cell scanner takes it as escaped and the renderer drops the backslash).
  if (options.inTable) shown = shown.replace(/\|/g, '\\|');
  const longestRun = Math.max(0, ...(shown.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  // CommonMark strips one space from each end when both ends have one: pad, so the value keeps its own.
  const pad = /^[` ]|[` ]$/.test(shown) ? ' ' : '';
  return `${fence}${pad}${shown}${pad}${fence}`;
}

/** A `<code>` element for raw HTML (inside `<summary>`), where Markdown escapes do not apply. */
export function htmlCode(value: string): string {
  return `<code>${escapeHtml(visible(clip(value)))}</code>`;
}

/**
 * Text for HTML: the five HTML specials as entities, and every character Markdown or GitHub could
 * give meaning to as a numeric entity too, in case a renderer treats the block as Markdown.
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`*_~[\]|\\@#:!]/g, (ch) => HTML_ENTITIES[ch] ?? `&#${ch.charCodeAt(0)};`);
}

/**
 * Lines inside a fenced code block: each line made visible (no line breaks inside one entry) and
 * the fence longer than any backtick run, so no content can close the block early.
 */
export function codeBlock(lines: readonly string[], language = 'text'): string {
  const shown = lines.map((line) => visible(clip(line, 400)));
  const longestRun = Math.max(0, ...shown.flatMap((line) => line.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return [`${fence}${language}`, ...shown, fence].join('\n');
}

/** A long value shortened around an ellipsis, never splitting a character; empty shows as `(empty)`. */
export function clip(value: string, max = MAX_SHOWN_CHARS): string {
  if (value === '') return '(empty)';
  if (value.length <= max) return value;
  const chars = Array.from(value);
  if (chars.length <= max) return value;
  const tail = Math.floor(max / 4);
  return `${chars.slice(0, max - tail - 1).join('')}…${chars.slice(chars.length - tail).join('')}`;
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
