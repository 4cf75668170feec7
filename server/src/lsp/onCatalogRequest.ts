import type { CancellationToken, Connection, ResponseError } from 'vscode-languageserver/node';
import type { RequestType } from 'vscode-languageserver-protocol';

/** Registers a handler for a request typed in the protocol module (whose copy of the RPC library may differ from the server's). */
export function onCatalogRequest<P, R>(
  connection: Connection,
  type: RequestType<P, R, void>,
  handler: (params: P, token: CancellationToken) => R | ResponseError<void> | Promise<R | ResponseError<void>>,
): void {
  // The handler's type was checked against the protocol's RequestType above; the RPC layer only needs the method.
  connection.onRequest(type.method, handler as never);
}
