import { applySuppressions, checkOverridesAgainstSnapshots, checkSurroundings, compareProblems, hasErrors, loadWorkspace } from '../core';
import { colorsFor, formatProblem, problemJson, writeJson, type CliIo, type OutputFormat } from './output';

/** `cac validate`: every definition checked, as the editor checks it; exit 1 on any error. */
export function validateCommand(io: CliIo, root: string, format: OutputFormat): number {
  const workspace = loadWorkspace(root);
  // `# cac-ignore:` comments apply here exactly as in the editor (core/language/suppressions.ts).
  const problems = applySuppressions([...workspace.problems, ...checkOverridesAgainstSnapshots(workspace), ...checkSurroundings(workspace, io.env)], workspace.files).sort(compareProblems);
  const failed = hasErrors(problems);
  const counts = { datastores: workspace.datastores.length, schedules: workspace.schedules.length, overrides: workspace.overrides.length, files: workspace.files.length };
  if (format === 'json') {
    writeJson(io, { valid: !failed, ...counts, problems: problems.map((p) => problemJson(p, io.cwd)) });
    return failed ? 1 : 0;
  }
  const colors = colorsFor(io.stdout, io.env);
  for (const problem of problems) io.stdout.write(formatProblem(problem, io.cwd, colors) + '\n');
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.filter((p) => p.severity === 'warning').length;
  const what = `${counts.datastores} datastore${counts.datastores === 1 ? '' : 's'}, ${counts.schedules} schedule${counts.schedules === 1 ? '' : 's'}, ${counts.overrides} override document${counts.overrides === 1 ? '' : 's'} in ${counts.files} file${counts.files === 1 ? '' : 's'}`;
  if (counts.files === 0) io.stdout.write(`No catalog definitions found under ${root}. Add a YAML file with 'kind: Datastore'.\n`);
  else if (errors === 0 && warnings === 0) io.stdout.write(`${colors.green('✓')} ${what}: no problems.\n`);
  else io.stdout.write(`${what}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.\n`);
  return failed ? 1 : 0;
}
