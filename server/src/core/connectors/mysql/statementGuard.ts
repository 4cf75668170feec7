/** The statement guard of `query()`: only reads reach the server. */
import { ConnectorError } from '../contract';

const READ_STATEMENT = /^(SELECT|SHOW|DESCRIBE|DESC|EXPLAIN|WITH|VALUES|TABLE)\b/i;

/** Refuses statements that are not reads, before they reach the server (see the comment of `openMySqlConnector`). */
export function refuseUnlessRead(sql: string): void {
  const text = stripLeadingComments(sql);
  const keyword = /^[A-Za-z]+/.exec(text)?.[0] ?? text.slice(0, 20);
  if (!READ_STATEMENT.test(text) || /\bINTO\s+(OUTFILE|DUMPFILE)\b/i.test(text) || /^EXPLAIN\s+ANALYZE\b/i.test(text) && !/^EXPLAIN\s+ANALYZE\s+(SELECT|WITH|TABLE)\b/i.test(text)) {
    throw new ConnectorError(`The catalog connector only reads: a '${keyword.toUpperCase()}' statement is refused. Only SELECT, SHOW, DESCRIBE, EXPLAIN and WITH queries are sent to MySQL/MariaDB.`, 'write-refused');
  }
}

/** Leading whitespace, parentheses and comments; executable comments (`/*!`, `/*M!`) are kept, they are code. */
function stripLeadingComments(sql: string): string {
  let text = sql;
  for (;;) {
    const before = text;
    text = text.replace(/^[\s(]+/, '');
    if (text.startsWith('/*') && !/^\/\*M?!/.test(text)) {
      const end = text.indexOf('*/', 2);
      text = end < 0 ? '' : text.slice(end + 2);
    } else if (/^(--\s|--$|#)/.test(text)) {
      const end = text.indexOf('\n');
      text = end < 0 ? '' : text.slice(end + 1);
    }
    if (text === before) return text;
  }
}
