/**
 * Container names users write in overrides: `schema.table`, with a part double-quoted (SQL
 * style, quotes doubled) when it could be misread: it holds a dot or a quote, or is empty.
 * So `"a.b".c` and `a."b.c"` stay distinct and every name round-trips.
 */
export function qualifiedName(schema: string | undefined, object: string): string {
  return schema === undefined ? object : `${quotePart(schema)}.${quotePart(object)}`;
}

function quotePart(part: string): string {
  return part === '' || /[."]/.test(part) || part !== part.trim() ? `"${part.replace(/"/g, '""')}"` : part;
}
