import type { CronExpressionParser } from 'cron-parser';

let parser: typeof CronExpressionParser | undefined;

/**
 * cron-parser, required on first use: it brings luxon (~360 KB with it), whose initialization
 * every command and every language-server start paid, though only schedules need it.
 */
export function cronParser(): typeof CronExpressionParser {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  parser ??= (require('cron-parser') as typeof import('cron-parser')).CronExpressionParser;
  return parser;
}
