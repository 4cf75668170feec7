import { ResponseError, type ClientCapabilities, type Connection, type TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { type CatalogProject } from '../../core';
import { RESTRICTED_MODE_ERROR } from '../../protocol/catalogProtocol';
import type { CatalogSession } from '../catalogSession';
import { pathOf } from '../convert';

/** What every feature handler needs: the connection, the open documents and the session. */
export interface FeatureContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  session: CatalogSession;
  /** What the client announced in `initialize`. */
  capabilities: ClientCapabilities;
  /**
   * False in an untrusted workspace (`initializationOptions.trusted`, `catalog/trustChanged`):
   * nothing may then connect to a source or write.
   */
  readonly trusted: boolean;
}

/**
 * The answer of every request that connects to a source or writes (sync, preview, apply,
 * resume, rerun, test connection) while the workspace is untrusted; undefined when trusted.
 */
export function refuseWhenRestricted(context: FeatureContext, action = 'connect to sources or write snapshots'): ResponseError<void> | undefined {
  if (context.trusted) return undefined;
  return new ResponseError(RESTRICTED_MODE_ERROR, `The workspace is in restricted mode: trust the workspace to ${action}.`);
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
