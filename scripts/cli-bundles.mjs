// The dicomnet CLI's files, for every build of it: dist/ (esbuild.mjs), the npm package
// (scripts/packaging/dicomnet.mjs) and the benchmark (bench/run.mjs), so that all three have the
// same layout. The executable is small and loads one of the bundles beside it through the V8 code
// cache: the full tool, or for the commands src/cli/bundles.ts names, their own bundle (each name
// here is one of its values, or main).
import { join } from 'node:path';

const CLI_EXECUTABLE = 'src/cli/bin.ts';

/** Bundle name (the file is the executable's name + '-' + it) → entry point. */
const CLI_BUNDLES = {
  main: 'src/cli/main.ts',
  echo: 'src/cli/commands/echo-bundle.ts',
  find: 'src/cli/commands/find-bundle.ts',
  get: 'src/cli/commands/get-bundle.ts',
};

/**
 * The data dictionary's table (200 kB): one file beside the bundles, which require it only for a
 * keyword or tag outside the core table (src/dicom/dictionary.ts), instead of a copy in each
 * bundle that every start of the command reads and checksums.
 */
const DICTIONARY_FILE = 'dictionary-data.cjs';

/** esbuild plugin: the dictionary's table module is the shared file, not bundled in. */
export const sharedDictionary = {
  name: 'shared-dictionary',
  setup(build) {
    build.onResolve({ filter: /(^|\/)dictionary-data$/ }, () => ({ path: `./${DICTIONARY_FILE}`, external: true }));
  },
};

/**
 * Minified except for names: less to read and compile at each start, and no comments, so the
 * bundles are ASCII (the launcher reads them as Latin-1).
 */
const MINIFIED = { minifyWhitespace: true, minifySyntax: true };

/**
 * Every file of a CLI build in `dir`, as esbuild options to spread over the build's own (format,
 * platform, …; these set the entry, the output file, the minification and, where needed, the
 * banner and plugins): the executable, named `executable` (cli.js, cli.cjs, …), the bundles beside
 * it (its name + '-' + the bundle's: cli-main.js, …, as src/cli/bundles.ts's bundleFor finds them)
 * and the dictionary's table.
 */
export function cliBuilds(dir, executable) {
  const [, stem, extension] = /^(.*?)(\.[cm]?js)?$/.exec(executable);
  return [
    { ...MINIFIED, entryPoints: [CLI_EXECUTABLE], outfile: join(dir, executable), banner: { js: '#!/usr/bin/env node' } },
    ...Object.entries(CLI_BUNDLES).map(([name, entry]) => ({
      ...MINIFIED, entryPoints: [entry], outfile: join(dir, `${stem}-${name}${extension ?? ''}`), plugins: [sharedDictionary],
    })),
    { ...MINIFIED, entryPoints: ['src/dicom/dictionary-data.ts'], outfile: join(dir, DICTIONARY_FILE) },
  ];
}
