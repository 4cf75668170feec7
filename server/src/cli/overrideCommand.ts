import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadWorkspace, planOverrideEdit, SnapshotCatalog, visible, writeFileAtomicallySync, type OverrideEditRequest } from '../core';
import type { CommandContext } from './commandContext';
import { CliError, writeJson } from './output';

/**
 * `cac override set|unset <datastore> <container>`: the identifier overrides of a container,
 * edited as the extension edits them (core/definitions/overrideEdits.ts): in the Overrides file
 * that holds the container (or the datastore's, or a new `overrides/<datastore>.yaml`), comments
 * and order kept, and only fields the sync would accept.
 */
export function registerOverrideCommands(program: Command, context: CommandContext): void {
  const override = program.command('override').description('set or drop the identifier overrides of a container');
  override.command('set')
    .description('set the incremental and/or partition identifier of a container (a field, none, or automatic)')
    .argument('<datastore>', 'the datastore')
    .argument('<container>', 'the container, as in its snapshot')
    .option('--incremental <field>', 'a field, `none` (no identifier) or `automatic` (drop the override)', parseIdentifier)
    .option('--partition <field>', 'a field, `none` or `automatic`', parseIdentifier)
    .action((datastore: string, container: string, opts: { incremental?: string; partition?: string }) => {
      if (opts.incremental === undefined && opts.partition === undefined) throw new CliError('Say what to set: --incremental <field> and/or --partition <field>.');
      // `none` is "no identifier" (null in the file); `automatic` drops the override.
      const value = (given: string | undefined): string | null | undefined => (given === 'none' ? null : given);
      run(context, { datastore, container, set: { incremental_identifier: value(opts.incremental), partition_identifier: value(opts.partition) } });
    });
  override.command('unset')
    .description('drop the overrides of a container (both identifiers unless one is named): detection decides again')
    .argument('<datastore>', 'the datastore')
    .argument('<container>', 'the container')
    .option('--incremental', 'drop only the incremental identifier override')
    .option('--partition', 'drop only the partition identifier override')
    .action((datastore: string, container: string, opts: { incremental?: boolean; partition?: boolean }) => {
      const both = !opts.incremental && !opts.partition;
      run(context, {
        datastore, container,
        set: { ...(both || opts.incremental ? { incremental_identifier: 'automatic' as const } : {}), ...(both || opts.partition ? { partition_identifier: 'automatic' as const } : {}) },
      });
    });
}

function run(context: CommandContext, request: OverrideEditRequest): void {
  const { root, format } = context.common();
  const workspace = loadWorkspace(root);
  const snapshot = new SnapshotCatalog(workspace.project.snapshotsDir).container(request.datastore, request.container)?.snapshot;
  if (!snapshot && !Object.values(request.set).every((value) => value === 'automatic')) {
    throw new CliError(`'${request.datastore}' has no container '${request.container}' in its snapshots; sync it first, or check the name.`);
  }
  const edit = planOverrideEdit(workspace, { ...request, snapshot }, (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined));
  if ('error' in edit) throw new CliError(edit.error);
  if (edit.before !== edit.after) {
    fs.mkdirSync(path.dirname(edit.file), { recursive: true });
    writeFileAtomicallySync(edit.file, edit.after);
  }
  if (format === 'json') writeJson(context.io, { file: edit.file, created: edit.before === null, changed: edit.before !== edit.after });
  else context.io.stdout.write(`${edit.before === edit.after ? 'Unchanged' : edit.before === null ? 'Created' : 'Updated'} ${visible(edit.file)}.\n`);
  context.setExitCode(0);
}

function parseIdentifier(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('name a field, `none` or `automatic`.');
  return value;
}
