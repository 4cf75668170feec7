/**
 * Text from sources and files (table names, file names, messages that quote them) shown to people:
 * the terminal, a review, a log line. One function for every human-readable output; JSON stays exact.
 */

/**
 * Characters that would break a line, reorder text (bidi controls, the "Trojan Source" trick),
 * hide text (zero-width) or are not characters at all (lone surrogates) become visible escapes.
 */
export function visible(value: string): string {
  return value.replace(INVISIBLE, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

// C0 and C1 controls, DEL, line/paragraph separators, bidi marks and overrides, zero-width
// characters and BOM, and lone surrogates. Matching control characters is the point here.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
