import * as vscode from 'vscode';

/**
 * Values of `${env:VAR}` references kept in VS Code's secret storage (the OS keychain where there
 * is one). They travel to the server inside one request's params, overlaying its environment for
 * that request only; the extension never writes, logs or shows them.
 */
export class SecretEnv {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The stored values of these variables (those not stored are left to the server's environment). */
  async envFor(variables: readonly string[]): Promise<Record<string, string> | undefined> {
    const env: Record<string, string> = {};
    for (const variable of variables) {
      const value = await this.secrets.get(secretKey(variable));
      if (value !== undefined) env[variable] = value;
    }
    return Object.keys(env).length > 0 ? env : undefined;
  }

  async has(variable: string): Promise<boolean> {
    return (await this.secrets.get(secretKey(variable))) !== undefined;
  }

  async store(variable: string, value: string): Promise<void> {
    await this.secrets.store(secretKey(variable), value);
  }

  async clear(variable: string): Promise<void> {
    await this.secrets.delete(secretKey(variable));
  }
}

function secretKey(variable: string): string {
  return `catalogAsCode.env.${variable}`;
}

/** `${env:PG_PASSWORD}` names a variable: letters, digits and underscores, not starting with a digit. */
export function isVariableName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}
