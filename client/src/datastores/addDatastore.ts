import * as vscode from 'vscode';
import {
  ListDatastoreTypesRequest, NewDatastoreRequest, NewProjectRequest, TestConnectionRequest,
  type DatastoreTypeItem, type NewDatastoreParams, type TestConnectionParams, type TestConnectionResult, type WorkspaceEdit,
} from '../../../server/src/protocol/catalogProtocol';
import { reportRequestError, showError, type CatalogServer } from '../server/catalogServer';
import { isVariableName, type SecretEnv } from '../secrets/secretEnv';
import type { SyncFlow } from '../sync/syncFlow';
import type { DatastoreNode } from '../views/datastoresTree';

/**
 * The seed's first step: "Catalog: Add Datastore…" asks for the type and what it needs (a
 * password only as a `${env:…}` reference, its value optionally kept in secret storage), tests
 * the connection read-only, writes the definition (the server renders and validates it) and
 * offers the seed's Initiate Sync.
 */
export class DatastoreSetup {
  constructor(private readonly server: CatalogServer, private readonly secrets: SecretEnv, private readonly sync: SyncFlow) {}

  async add(projectUri?: string, given?: NewDatastoreParams): Promise<vscode.Uri | undefined> {
    try {
      const params = given ?? await this.ask(projectUri);
      if (!params) return undefined;
      const tested = await this.test({ projectUri, definition: params }, params.name);
      if (!tested.ok && !given) {
        const pick = await vscode.window.showWarningMessage(`The connection test of ${params.name} failed: ${tested.message}`, { modal: true, detail: 'Save the definition anyway and fix the connection later?' }, 'Save Anyway');
        if (pick !== 'Save Anyway') return undefined;
      }
      const answer = await this.server.request(NewDatastoreRequest.type, { ...params, projectUri });
      if ('problems' in answer) {
        await showError(`The definition of ${params.name} is not valid: ${answer.problems.join(' ')}`, this.server.log);
        return undefined;
      }
      const uri = await this.applyAndSave(answer.edit, answer.uri);
      await vscode.window.showTextDocument(uri, { preview: false });
      if (!given) {
        const pick = await vscode.window.showInformationMessage(`Added datastore ${params.name}. Catalog its containers now (prune off, recreate off, tables and views)?`, 'Initiate Sync');
        if (pick) await this.sync.syncNow({ datastore: params.name, projectUri }, { prune: false, recreate: false, include: ['table', 'view'] });
      }
      return uri;
    } catch (error) {
      await reportRequestError(error, 'Add Datastore', this.server.log);
      return undefined;
    }
  }

  /** "Test Connection" on a datastore node (or a definition not written yet). */
  async testDatastore(node: DatastoreNode): Promise<TestConnectionResult | undefined> {
    try {
      const result = await this.test({ projectUri: node.project.projectUri, datastore: node.item.name, env: await this.secrets.envFor(node.item.envReferences) }, node.item.name);
      if (result.ok) void vscode.window.showInformationMessage(`${node.item.name}: ${result.message}`);
      else await showError(`${node.item.name}: ${result.message}`, this.server.log);
      return result;
    } catch (error) {
      await reportRequestError(error, `Connection test of ${node.item.name}`, this.server.log);
      return undefined;
    }
  }

  /** "Create Catalog Project": `catalog.yaml` and a first datastore skeleton in a workspace folder. */
  async newProject(folder?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const target = folder ?? (await this.pickFolder());
    if (!target) return undefined;
    try {
      const answer = await this.server.request(NewProjectRequest.type, { folderUri: target.toString() });
      const uri = await this.applyAndSave(answer.edit, answer.datastoreUri);
      await vscode.window.showTextDocument(uri, { preview: false });
      return uri;
    } catch (error) {
      await reportRequestError(error, 'Create Catalog Project', this.server.log);
      return undefined;
    }
  }

  private async test(params: TestConnectionParams, name: string): Promise<TestConnectionResult> {
    return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Testing the connection of ${name} (read-only)…`, cancellable: true },
      (_progress, token) => this.server.request(TestConnectionRequest.type, params, token)));
  }

  private async ask(projectUri?: string): Promise<NewDatastoreParams | undefined> {
    const { items } = await this.server.request(ListDatastoreTypesRequest.type, { projectUri });
    const type = await vscode.window.showQuickPick(items.map((t) => ({ label: t.title, description: t.type, detail: t.storeType === 'dfs' ? 'file store' : 'database', type: t })), {
      title: 'Add Datastore (1/3): type', placeHolder: 'What does the datastore hold?', ignoreFocusOut: true,
    });
    if (!type) return undefined;
    const name = await vscode.window.showInputBox({
      title: 'Add Datastore (2/3): name', prompt: 'A name for the datastore, used in file names, schedules and the CLI', ignoreFocusOut: true,
      validateInput: (value) => (/^[a-z0-9][a-z0-9_-]*$/i.test(value.trim()) ? undefined : 'Letters, digits, - and _, starting with a letter or digit.'),
    });
    if (!name) return undefined;
    const settings = await this.askSettings(type.type, name.trim());
    if (!settings) return undefined;
    return { projectUri, name: name.trim(), type: type.type.type, settings };
  }

  private async askSettings(type: DatastoreTypeItem, name: string): Promise<Record<string, string | number | boolean> | undefined> {
    const settings: Record<string, string | number | boolean> = {};
    for (const [index, setting] of type.settings.entries()) {
      const key = setting.path.join('.');
      const title = `Add Datastore (3/3): ${name}, ${setting.title} (${index + 1}/${type.settings.length})`;
      if (setting.secret) {
        const value = await this.askSecret(title, name, setting.title, setting.path[setting.path.length - 1]!);
        if (value === undefined) return undefined;
        if (value) settings[key] = value;
        continue;
      }
      if (setting.kind === 'boolean') {
        const pick = await vscode.window.showQuickPick(['true', 'false'], { title, placeHolder: `${setting.title} (default ${String(setting.default ?? false)})`, ignoreFocusOut: true });
        if (pick === undefined) return undefined;
        settings[key] = pick === 'true';
        continue;
      }
      const value = await vscode.window.showInputBox({
        title, prompt: `${setting.title}${setting.required ? '' : ' (optional: leave empty to skip)'}${setting.kind === 'path' ? ', relative to the project or absolute' : ''}`,
        value: setting.default !== undefined ? String(setting.default) : '', ignoreFocusOut: true,
        validateInput: (v) => {
          if (setting.required && v.trim() === '') return `${setting.title} is required.`;
          if (setting.kind === 'number' && v.trim() !== '' && !Number.isFinite(Number(v))) return 'A number.';
          return undefined;
        },
      });
      if (value === undefined) return undefined;
      if (value.trim() === '') continue;
      settings[key] = setting.kind === 'number' ? Number(value) : value.trim();
    }
    return settings;
  }

  /** A secret is written only as `${env:VAR}`; its value, if given, goes to secret storage. Returns '' to skip. */
  private async askSecret(title: string, name: string, what: string, key: string): Promise<string | undefined> {
    const pick = await vscode.window.showQuickPick([
      { label: '$(key) Store the value in VS Code\'s secret storage', description: 'the definition references an environment variable', id: 'store' },
      { label: '$(symbol-variable) Reference an environment variable', description: 'set it in the environment of CI, the CLI and VS Code', id: 'env' },
      { label: `No ${what.toLowerCase()}`, description: 'leave it out of the definition', id: 'none' },
    ], { title, placeHolder: `${what}: it never goes into a committed file`, ignoreFocusOut: true });
    if (!pick) return undefined;
    if (pick.id === 'none') return '';
    const variable = await vscode.window.showInputBox({
      title, prompt: 'Environment variable name', value: `${name}_${key}`.toUpperCase().replace(/[^A-Z0-9]/g, '_'), ignoreFocusOut: true,
      validateInput: (v) => (isVariableName(v) ? undefined : 'Letters, digits and _, not starting with a digit.'),
    });
    if (!variable) return undefined;
    if (pick.id === 'store') {
      const value = await vscode.window.showInputBox({ title, prompt: `Value of \${env:${variable}} (kept in VS Code's secret storage)`, password: true, ignoreFocusOut: true });
      if (value === undefined) return undefined;
      await this.secrets.store(variable, value);
    }
    return `\${env:${variable}}`;
  }

  private async pickFolder(): Promise<vscode.Uri | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 1) return folders[0].uri;
    if (folders.length === 0) {
      void vscode.window.showInformationMessage('Open a folder first: a catalog project lives in a folder of your repository.');
      return undefined;
    }
    return (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Create the catalog project in which folder?' }))?.uri;
  }

  private async applyAndSave(lspEdit: WorkspaceEdit, mainUri: string): Promise<vscode.Uri> {
    const converter = this.server.converter;
    if (!converter) throw new Error('The language server is not running.');
    const edit = await converter.asWorkspaceEdit(lspEdit);
    if (!edit || !(await vscode.workspace.applyEdit(edit))) throw new Error('VS Code did not apply the edit (a file may already exist).');
    const main = vscode.Uri.parse(mainUri);
    for (const [uri] of edit.entries()) {
      const document = await vscode.workspace.openTextDocument(uri);
      if (document.isDirty) await document.save();
    }
    // Applying an edit may open the files it creates; only the main one is worth a tab.
    const others = new Set(edit.entries().map(([uri]) => uri.toString()).filter((uri) => uri !== main.toString()));
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((tab) => tab.input instanceof vscode.TabInputText && others.has(tab.input.uri.toString()) && !tab.isDirty);
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
    return main;
  }
}
