/** Reviews of snapshot changes for people and CI: `cac diff`, and `cac sync --format markdown`. */
export { compareSnapshotTrees } from './compareSnapshotTrees';
export { readGitSnapshots, openGitRepository, resolveCommit, type GitCatalogRepository } from './gitSnapshotTree';
export { readWorkingTreeSnapshots, treeAfterPlan, ReviewInputError, type SnapshotTree } from './snapshotTree';
export { reviewSyncOutcomes, type SyncToReview } from './syncReview';
export { renderReviewMarkdown, reviewMarker, sidesLine, GITHUB_COMMENT_LIMIT, DEFAULT_MARKDOWN_BUDGET, type MarkdownOptions } from './renderMarkdown';
export { renderReviewText, type TextStyle } from './renderText';
export { reviewJson } from './reviewJson';
export type * from './reviewModel';
