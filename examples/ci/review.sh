#!/usr/bin/env bash
# Writes the catalog review of this checkout to review.md (the pull-request comment) and prints the
# full review to the log. The same script runs in CI and on your machine (see README.md).
#
#   CAC_REVIEW_MODE=diff (default)  the committed snapshots against BASE_REF: what this branch changes
#   CAC_REVIEW_MODE=sync            a dry-run sync against the live sources: what syncing would write
#
# Exit status as `cac --detailed-exitcode`: 0 no changes, 2 changes, 1 error.
set -uo pipefail

root="${CATALOG_ROOT:-.}"
mode="${CAC_REVIEW_MODE:-diff}"
base="${BASE_REF:-origin/main}"
out="${REVIEW_FILE:-review.md}"
# How to run cac: the project's own install by default; `CAC="node path/to/bin/cac.js"` works too.
read -r -a cac <<< "${CAC:-npx --no-install cac}"

case "$mode" in
  sync) args=(sync --dry-run) ;;
  diff) args=(diff --base "$base") ;;
  *) echo "CAC_REVIEW_MODE must be diff or sync, not '$mode'." >&2; exit 1 ;;
esac

# The full review, never shortened: this is what the comment's "full review" note points to.
"${cac[@]}" --root "$root" "${args[@]}" --detailed-exitcode
status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then exit 1; fi

# The comment: Markdown, shortened to fit GitHub's limit, starting with its hidden marker.
"${cac[@]}" --root "$root" "${args[@]}" --format markdown > "$out" || exit 1
exit "$status"
