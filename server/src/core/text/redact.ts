/**
 * Credentials inside URL-like values (`postgresql://user:secret@host/db`, `…?password=secret`)
 * hidden for every output: messages, logs, history records and the API all pass through this one
 * function before anything is written or shown.
 */
export function redactCredentials(text: string): string {
  if (!text.includes('@') && !text.includes('=')) return text;
  return text.replace(URL_USERINFO, (_match, scheme: string, user: string) => `${scheme}${user}:${MASK}@`).replace(SECRET_PARAMETER, (_match, lead: string, key: string) => `${lead}${key}=${MASK}`);
}

/** The literal credentials a URL-like value holds: `user:password@` and secret query parameters (`${env:…}` parts excluded). */
export function urlCredentialsIn(value: string): string[] {
  const found: string[] = [];
  // A reference is not a literal: `u:${env:PW}@host` is how it should be written.
  const literal = value.replace(/\$\{env:[^}]*\}/g, REFERENCE);
  for (const match of literal.matchAll(URL_USERINFO)) if (match[3] !== undefined && match[3].replaceAll(REFERENCE, '') !== '') found.push('user:password@');
  for (const match of literal.matchAll(SECRET_PARAMETER)) if (match[3] !== undefined && match[3].replaceAll(REFERENCE, '') !== '') found.push(`${match[2]}=`);
  return found;
}

const MASK = '***';
/** Stands for a `${env:…}` reference while looking for literals (a character no URL holds). */
const REFERENCE = '\u0000';
/** `scheme://user:password@`: the password is everything up to the last `@` before the host. */
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^\s:/@]*):([^\s/]*)@/gi;
/** `password=…` and its kin in a query string or a key=value connection string. */
const SECRET_PARAMETER = /(^|[?&;\s])(password|passwd|pwd|pass|secret|token|api[_-]?key|access[_-]?key|sslpassword|sas|sig|accountkey|sharedaccesssignature)=([^&;\s]*)/gi;
