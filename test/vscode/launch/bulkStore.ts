/**
 * A slow file store for the browser tests that abort a running sync: 10,000 CSV files of 40
 * columns in `data/<name>/` of the workspace, kept out of git's sight (the Source Control view
 * would work through them), so a sync is still running when a person clicks Abort.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const BULK_FILES = 10_000;
const BULK_COLUMNS = 40;
const BULK_ROWS = 3;

/** The definition `datastores/<name>.yaml` (write it first: the watcher, flooded by the files, may miss it). */
export function writeBulkDefinition(workspace: string, name: string): void {
  fs.writeFileSync(path.join(workspace, 'datastores', `${name}.yaml`), `kind: Datastore\nname: ${name}\ntype: dfs\nroot: ../data/${name}\nextensions: [csv]\n`);
}

/** The data files, excluded from git; distinct letter-only names (`rowsaaa.csv`…), so no two group into one container. */
export function writeBulkFiles(workspace: string, name: string, files = BULK_FILES): void {
  fs.appendFileSync(path.join(workspace, '.git', 'info', 'exclude'), `data/${name}/\n`);
  const dir = path.join(workspace, 'data', name);
  fs.mkdirSync(dir, { recursive: true });
  const header = Array.from({ length: BULK_COLUMNS }, (_, c) => `col_${letters(c)}`).join(',');
  const row = Array.from({ length: BULK_COLUMNS }, (_, c) => (c % 3 === 0 ? String(c * 1.5) : `text ${c}`)).join(',');
  const text = `${header}\n${`${row}\n`.repeat(BULK_ROWS)}`;
  for (let i = 0; i < files; i++) fs.writeFileSync(path.join(dir, `rows${letters(i)}.csv`), text);
}

/** `aaa`, `aab`, … (26³ = 17,576 names, then `baaa`…): three letters, so every name has the same length and no digit. */
function letters(n: number): string {
  let out = '';
  let rest = n;
  for (let i = 0; i < 3; i++, rest = Math.floor(rest / 26)) out = String.fromCharCode(97 + (rest % 26)) + out;
  return rest > 0 ? `${String.fromCharCode(97 + rest)}${out}` : out;
}
