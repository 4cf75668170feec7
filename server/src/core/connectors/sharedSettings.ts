/**
 * Schema fragments that several datastore types share. A key two types both declare must be
 * declared identically (the composed schema refuses anything else), so they take it from here.
 */

/** `schemas`: the namespaces to sync. */
export const SCHEMAS_PROPERTY = {
  type: 'array',
  items: { type: 'string', minLength: 1 },
  uniqueItems: true,
  description: 'Namespaces (schemas) to sync. Default: every schema except the system ones.',
} as const;

/** `connection.path`: an embedded database's file. */
export const DATABASE_FILE_PROPERTY = {
  type: 'string',
  minLength: 1,
  description: 'The database file, relative to this file. Opened read-only.',
} as const;

/** A type's settings without the keys its definition leaves out (`read` answers undefined for those). */
export function withoutUndefined<T extends object>(settings: T): T {
  for (const key of Object.keys(settings) as (keyof T)[]) if (settings[key] === undefined) delete settings[key];
  return settings;
}
