/**
 * `${env:NAME}` references: the only way a secret reaches a datastore definition. Expansion is
 * strict and single-pass: a variable's value is never expanded again, and an unset variable is an
 * error naming it, never an empty string.
 */
export function findEnvReferences(value: string): EnvReferenceScan {
  const references: EnvReference[] = [];
  const invalid: { start: number; end: number; text: string }[] = [];
  let literal = '';
  let index = 0;
  while (index < value.length) {
    const open = value.indexOf('${', index);
    if (open < 0) {
      literal += value.slice(index);
      break;
    }
    literal += value.slice(index, open);
    const close = value.indexOf('}', open + 2);
    if (close < 0) {
      invalid.push({ start: open, end: value.length, text: value.slice(open) });
      break;
    }
    const inner = value.slice(open + 2, close);
    const match = ENV_REFERENCE.exec(inner);
    if (match) references.push({ name: match[1]!, start: open, end: close + 1 });
    else invalid.push({ start: open, end: close + 1, text: value.slice(open, close + 1) });
    index = close + 1;
  }
  return { references, invalid, literal };
}

export interface EnvReference {
  name: string;
  start: number;
  end: number;
}

export interface EnvReferenceScan {
  references: EnvReference[];
  invalid: { start: number; end: number; text: string }[];
  /** The text outside of any reference. */
  literal: string;
}

const ENV_REFERENCE = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Replaces every reference with the variable's value; lists the variables that are not set, and
 * those set to the empty string (a CI secret that did not reach the job, never a real value).
 */
export function expandEnvReferences(value: string, env: Readonly<Record<string, string | undefined>>): { value: string; missing: string[]; empty: string[] } {
  const scan = findEnvReferences(value);
  if (scan.references.length === 0) return { value, missing: [], empty: [] };
  const missing: string[] = [];
  const empty: string[] = [];
  let result = '';
  let index = 0;
  for (const reference of scan.references) {
    result += value.slice(index, reference.start);
    const resolved = env[reference.name];
    if (resolved === undefined) missing.push(reference.name);
    else if (resolved === '') empty.push(reference.name);
    else result += resolved;
    index = reference.end;
  }
  result += value.slice(index);
  return { value: result, missing, empty };
}

/** Connection keys whose values are secrets and may only be references. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(['password', 'secret', 'token', 'api_key', 'access_key_id', 'secret_access_key', 'session_token', 'hmac_access_id', 'private_key', 'passphrase', 'account_key', 'sas_token', 'connection_string', 'hmac_secret']);
