/** The engine's version, set by the build (scripts/build.mjs defines CAC_VERSION from package.json). */
declare const CAC_VERSION: string | undefined;

/**
 * `0.0.0-dev` when run from TypeScript sources. Shown by `cac --version` and the language server,
 * and part of what a no-change resync compares: a newer engine may render snapshots differently,
 * so it never replays an older engine's result.
 */
export const ENGINE_VERSION: string = typeof CAC_VERSION === 'string' ? CAC_VERSION : '0.0.0-dev';
