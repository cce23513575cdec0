// The dicomnet CLI's bundles, for every build of it: dist/ (esbuild.mjs), the npm package
// (scripts/packaging/dicomnet.mjs) and the benchmark (bench/run.mjs). The executable is small and
// loads one of the others through the V8 code cache: the full tool, or for the commands
// src/cli/bundles.ts names, their own bundle (each name here is one of its values, or main).
export const CLI_EXECUTABLE = 'src/cli/bin.ts';

/** Bundle name (the file is the executable's name + '-' + it) → entry point. */
export const CLI_BUNDLES = {
  main: 'src/cli/main.ts',
  echo: 'src/cli/commands/echo-bundle.ts',
  find: 'src/cli/commands/find-bundle.ts',
  get: 'src/cli/commands/get-bundle.ts',
};
