import * as vscode from 'vscode';

/**
 * The catalog projects the views show. One workspace folder: the server's only project, asked
 * for without a `projectUri`. Several: one node per folder, each request naming its folder.
 */
export interface ProjectRef {
  /** Undefined for the workspace's only project. */
  projectUri?: string;
  label: string;
}

export function workspaceProjects(): ProjectRef[] {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return [{ label: folders[0]?.name ?? 'Catalog' }];
  return folders.map((folder) => ({ projectUri: folder.uri.toString(), label: folder.name }));
}

/** Whether the request failed only because this folder holds no catalog project. */
export function isNoProjectMessage(message: string): boolean {
  return /no (open )?catalog project|Several projects are open|not inside a catalog project/i.test(message);
}

/** `1,040` in the user's locale. */
export function formatCount(n: number): string {
  return n.toLocaleString(vscode.env.language);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** `3 min ago`, `in 2 h`: short relative times for descriptions. */
export function relativeTime(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const [value, unit] = abs < 60_000 ? [Math.round(abs / 1000), 's'] : abs < 3_600_000 ? [Math.round(abs / 60_000), 'min'] : abs < 86_400_000 ? [Math.round(abs / 3_600_000), 'h'] : [Math.round(abs / 86_400_000), 'd'];
  if (abs < 5_000) return 'now';
  return ms < 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}

/** `850 ms`, `12.3 s`, `4 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Text shown literally inside a tooltip's Markdown (names with `_`, `*`, `#`…). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
