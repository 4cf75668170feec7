#!/usr/bin/env node
// Posts a catalog review as ONE pull-request comment and updates that comment on every later run,
// so a pull request never collects a pile of outdated reviews. The comment is found by the hidden
// marker on the review's first line (`<!-- cac-review: all -->`). Uses the GitHub CLI (`gh api`),
// which reads GH_TOKEN in Actions and your `gh auth login` on your machine.
//
//   node post-review-comment.mjs review.md [--pr <number>] [--repo <owner/name>] [--only-update]
//
// --only-update: change an existing review comment but never create one (for "no changes" runs,
// so a pull request without catalog changes gets no comment at all).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

function main(argv) {
  const options = parseArguments(argv);
  const body = readFileSync(options.file, 'utf8');
  const marker = body.split('\n', 1)[0];
  if (!/^<!-- cac-review: [A-Za-z0-9_.,-]+ -->$/.test(marker)) {
    fail(`${options.file} does not start with a review marker (<!-- cac-review: … -->); write it with \`cac diff --format markdown\` or \`cac sync --dry-run --format markdown\`.`);
  }
  const repo = options.repo ?? process.env.GITHUB_REPOSITORY;
  const pr = options.pr ?? pullRequestFromEvent();
  if (!repo) fail('Which repository? Pass --repo owner/name (GitHub Actions sets GITHUB_REPOSITORY).');
  if (!pr) fail('Which pull request? Pass --pr <number> (in a pull_request workflow it is read from the event).');

  // One JSON object per line, across every page of comments.
  const listing = gh(['api', '--paginate', `repos/${repo}/issues/${pr}/comments`, '--jq', '.[] | {id: .id, first_line: (.body | split("\\n") | .[0])}']);
  const existing = listing.split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((comment) => comment.first_line === marker);
  const payload = JSON.stringify({ body });
  if (existing) {
    gh(['api', '--method', 'PATCH', `repos/${repo}/issues/comments/${existing.id}`, '--input', '-'], payload);
    console.log(`Updated review comment ${existing.id} on ${repo}#${pr}.`);
  } else if (options.onlyUpdate) {
    console.log(`No review comment on ${repo}#${pr} to update; nothing posted.`);
  } else {
    gh(['api', '--method', 'POST', `repos/${repo}/issues/${pr}/comments`, '--input', '-'], payload);
    console.log(`Posted a review comment on ${repo}#${pr}.`);
  }
}

function parseArguments(argv) {
  const options = { file: undefined, pr: undefined, repo: undefined, onlyUpdate: false };
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--only-update') options.onlyUpdate = true;
    else if (argument === '--pr') options.pr = argv[++i];
    else if (argument === '--repo') options.repo = argv[++i];
    else if (!argument.startsWith('-') && options.file === undefined) options.file = argument;
    else fail(`Unknown argument '${argument}'. Usage: post-review-comment.mjs review.md [--pr <number>] [--repo <owner/name>] [--only-update]`);
  }
  if (!options.file) fail('Give the review file: post-review-comment.mjs review.md');
  if (options.pr !== undefined && !/^[1-9][0-9]*$/.test(options.pr)) fail(`--pr must be a pull-request number, not '${options.pr}'.`);
  if (options.repo !== undefined && !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(options.repo)) fail(`--repo must look like owner/name, not '${options.repo}'.`);
  return options;
}

function pullRequestFromEvent() {
  const file = process.env.GITHUB_EVENT_PATH;
  if (!file) return undefined;
  const number = JSON.parse(readFileSync(file, 'utf8')).pull_request?.number;
  return number === undefined ? undefined : String(number);
}

function gh(args, input) {
  const result = spawnSync('gh', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'inherit'] });
  if (result.error) fail(`Could not run the GitHub CLI (gh): ${result.error.message}. Install it from https://cli.github.com.`);
  if (result.status !== 0) fail(`gh ${args.slice(0, 3).join(' ')} failed (exit ${result.status}); see its message above.`);
  return result.stdout;
}

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}

main(process.argv.slice(2));
