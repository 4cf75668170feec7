import type { DatastoreTypeEntry } from '../contract';
import type { DfsSettings } from './dfsConnector';

/** The extensions a file store reads, and the default of `extensions`. */
export const FILE_EXTENSIONS = ['csv', 'tsv', 'json', 'jsonl', 'parquet'] as const;

/**
 * A pinned pattern: a relative path whose last segment may hold `*`; no other wildcard (`?`,
 * `[`, `{`, `**`), no `.`/`..` segment, no leading or trailing `/`, no `*` in a folder.
 */
const PINNED_PATTERN_SYNTAX = '^(?!/)(?!.*//)(?!(.*/)?\\.{1,2}(/|$))([^*?\\[\\]{}/]+/)*[^?\\[\\]{}/]+$';

/** `type: dfs`: a folder of CSV, TSV, JSON, JSON Lines and Parquet files. */
export const dfsType: DatastoreTypeEntry<DfsSettings> = {
  type: 'dfs',
  storeType: 'dfs',
  title: 'File store',
  schema: {
    properties: {
      root: { type: 'string', minLength: 1, description: 'The folder to sync, relative to this file.' },
      extensions: {
        type: 'array',
        items: { enum: [...FILE_EXTENSIONS] },
        uniqueItems: true,
        minItems: 1,
        description: 'The file extensions to treat as containers (default: all supported).',
      },
      globbing: {
        enum: [true, false, 'folder'],
        description: '`true` groups similar file names in one folder into one container; `folder` groups every file of an extension in a folder; `false` makes each file its own container.',
      },
      patterns: {
        type: 'array',
        items: {
          type: 'string',
          minLength: 1,
          pattern: PINNED_PATTERN_SYNTAX,
          // Also shown by VS Code's JSON and YAML language services.
          patternErrorMessage: 'Write a path relative to root whose file name may hold `*` (as in "orders/orders_*.csv" or "events_*.json"): no ?, [ ], { }, **, "." or ".." folders, and no * in a folder name.',
        },
        uniqueItems: true,
        description: 'Name patterns that decide grouping where inference does not do what you want, tried in order before it: `*` matches any run of characters and `_` matches `-`; with a `/` a pattern names one folder (`orders/orders_*.csv`), without it applies in every folder. Each matching file belongs to the first pattern it matches.',
      },
      follow_links: {
        type: 'boolean',
        description: 'Follow symbolic links that lead out of the root folder (default false: such links are skipped with a warning, so a link to /etc is never catalogued).',
      },
      sample_files: {
        type: 'integer',
        minimum: 1,
        maximum: 1000,
        description: 'How many files of a globbed container are read to infer its schema (default 10).',
      },
    },
    required: ['root'],
  },
  settings: (read) => {
    const globbing = read.value(['globbing']);
    return {
      root: read.file(['root']),
      extensions: read.strings(['extensions']) ?? [...FILE_EXTENSIONS],
      globbing: globbing === false ? false : globbing === 'folder' ? 'folder' : true,
      sample_files: Math.min(read.number(['sample_files']) ?? 10, 1000),
      patterns: read.strings(['patterns']) ?? [],
      follow_links: read.value(['follow_links']) === true,
    };
  },
  open: async (target) => (await import('./dfsConnector')).openDfsConnector(target),
};
