import type { ClientCapabilities, Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { type CatalogProject } from '../../core';
import type { CatalogSession } from '../catalogSession';
import { pathOf } from '../convert';

/** What every feature handler needs: the connection, the open documents and the session. */
export interface FeatureContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  session: CatalogSession;
  /** What the client announced in `initialize`. */
  capabilities: ClientCapabilities;
}

/**
 * The project and path of a document, with pending edits validated first so a feature never
 * answers from an older analysis than the text the client shows.
 */
export function projectOf(context: FeatureContext, uri: string): { project: CatalogProject; file: string } | undefined {
  const file = pathOf(uri);
  if (!file) return undefined;
  const project = context.session.projectFor(file);
  return project ? { project, file } : undefined;
}

/**
 * Runs a request handler so that no exception can take the server down: the error is logged
 * and the client gets the empty answer. The engine never throws on user input; this guards
 * against our own bugs.
 */
export function guarded<P, R>(context: FeatureContext, name: string, fallback: R, handler: (params: P) => R): (params: P) => R {
  return (params: P) => {
    try {
      return handler(params);
    } catch (error) {
      context.connection.console.error(`${name} failed: ${(error as Error).stack ?? String(error)}`);
      return fallback;
    }
  };
}
