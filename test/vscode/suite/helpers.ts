/**
 * Helpers for the extension-host suite. These files run inside VS Code's extension host (bundled by
 * test/vscode/launch/build.ts, loaded by the test-runner extension), never directly under Node.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../../helpers/waitFor';
import manifest from '../../../package.json';

export { waitFor };

/** `<publisher>.<name>` of the extension under test. */
export const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

/** The extension's package.json as built into this suite. */
export const MANIFEST = manifest;

/** What the extension's `activate` returns (client/src/extension.ts CatalogExtensionApi), as far as the suite uses it. */
export interface CatalogTestApi {
  /** Resolves once the language server has loaded the workspace. */
  ready(): Promise<void>;
}

export function catalogExtension(): vscode.Extension<CatalogTestApi> {
  const extension = vscode.extensions.getExtension<CatalogTestApi>(EXTENSION_ID);
  if (!extension) {
    const installed = vscode.extensions.all.filter((e) => !e.id.startsWith('vscode.')).map((e) => e.id);
    throw new Error(`Extension ${EXTENSION_ID} is not installed in this VS Code (installed: ${installed.join(', ') || 'none but built-ins'}).`);
  }
  return extension;
}

/** Activates the extension (idempotent) and waits, bounded, until its server has loaded the workspace. */
export async function activeCatalog(timeoutMs = 60_000): Promise<CatalogTestApi> {
  const api = await catalogExtension().activate();
  await withTimeout(api.ready(), timeoutMs, 'the Catalog extension to load the workspace (api.ready())');
  return api;
}

/** The opened workspace folder: the temporary copy of examples/shop. */
export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('VS Code opened no workspace folder.');
  return folder.uri.fsPath;
}

export function workspaceFile(relative: string): string {
  return path.join(workspaceRoot(), relative);
}

export function exists(relative: string): boolean {
  return fs.existsSync(workspaceFile(relative));
}

export async function withTimeout<T>(promise: Thenable<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`)), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve(promise), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
