/** Grants: what information_schema can show this user. */
import type { Run } from './session';
import { splitTopLevel } from './sqlText';

/** Privileges that make a table visible in information_schema (global, database or table level). */
const TABLE_PRIVILEGES = /^(ALL|ALL PRIVILEGES|SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|REFERENCES|INDEX|ALTER|CREATE VIEW|SHOW VIEW|TRIGGER|DELETE HISTORY)$/i;

export interface Grant {
  /** undefined: every database (`*.*`). */
  database?: RegExp;
  /** undefined: every table of the database. */
  table?: string;
  privileges: { name: string; columns: boolean }[];
}

export interface Grants {
  /** Stable text of the parsed grants, for the signature (never the raw lines: they can hold a password hash). */
  digest: string;
  seesWholeSchema(schema: string): boolean;
  /** True when information_schema shows every database (a global privilege, or SHOW DATABASES). */
  seesEveryDatabase: boolean;
  access(schema: string, table: string): 'select' | 'columns' | 'none';
}

/**
 * `SHOW GRANTS` of the session: MariaDB includes the grants of the enabled role, which
 * information_schema's privilege tables do not. Undefined when it cannot be read or parsed.
 */
export async function readGrants(run: Run, signal: AbortSignal): Promise<Grants | undefined> {
  let rows: Record<string, string>[];
  try {
    rows = (await run('SHOW GRANTS', signal)) as Record<string, string>[];
  } catch {
    // Aborted: the abort is the answer. Otherwise this read is optional.
    signal.throwIfAborted();
    return undefined;
  }
  const grants: Grant[] = [];
  for (const row of rows) {
    const grant = parseGrant(String(Object.values(row)[0] ?? ''));
    if (grant) grants.push(grant);
  }
  const digest = JSON.stringify(grants.map((g) => [g.database?.source ?? '*', g.table ?? '*', g.privileges]));
  const matching = (schema: string, table?: string): Grant[] =>
    grants.filter((g) => (!g.database || g.database.test(schema)) && (table === undefined ? g.table === undefined : g.table === undefined || g.table === table));
  return {
    digest,
    seesWholeSchema: (schema) => matching(schema).some((g) => g.table === undefined && g.privileges.some((p) => !p.columns && TABLE_PRIVILEGES.test(p.name))),
    seesEveryDatabase: grants.some((g) => !g.database && g.privileges.some((p) => p.name !== 'USAGE')),
    access: (schema, table) => {
      const privileges = matching(schema, table).flatMap((g) => g.privileges).filter((p) => /^(ALL|ALL PRIVILEGES|SELECT)$/i.test(p.name));
      if (privileges.some((p) => !p.columns)) return 'select';
      return privileges.length > 0 ? 'columns' : 'none';
    },
  };
}

const IDENT = '(\\*|`(?:[^`]|``)*`|[A-Za-z0-9_$]+)';
const GRANT_LINE = new RegExp(`^GRANT (.+?) ON (?:TABLE )?${IDENT}\\.${IDENT} TO `, 'i');

/** `GRANT SELECT, INSERT (\`y\`) ON \`db\`.\`t\` TO …` → privileges and object; undefined for roles, proxies, routines. */
export function parseGrant(line: string): Grant | undefined {
  if (/^GRANT .+ ON (FUNCTION|PROCEDURE|PACKAGE)\b/i.test(line)) return undefined;
  const match = GRANT_LINE.exec(line);
  if (!match) return undefined;
  const unquote = (id: string): string => (id.startsWith('`') ? id.slice(1, -1).replace(/``/g, '`') : id);
  const [, privilegeText, db, table] = match;
  const privileges = splitTopLevel(privilegeText!).map((p) => {
    const columns = /\(/.test(p);
    return { name: p.replace(/\s*\(.*$/s, '').trim().replace(/\s+/g, ' ').toUpperCase(), columns };
  });
  return {
    database: db === '*' ? undefined : likePattern(unquote(db!)),
    table: table === '*' ? undefined : unquote(table!),
    privileges,
  };
}

/** A database-level grant names a LIKE pattern (`_` and `%` wildcards, `\` escapes). */
function likePattern(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (ch === '_') source += '.';
    else if (ch === '%') source += '.*';
    else source += escapeRegExp(ch);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
