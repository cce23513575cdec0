// The import rules of src/ (the table is in src/README.md), checked by dependency-cruiser in
// `npm test` (scripts/test.mjs, suite "layers") and by `npx depcruise src --config .dependency-cruiser.cjs`.
//
// Layers, each importing only from the ones before it:
//   dicom ← net ← dimse ← services ← ae ← archive ← dicomweb ← cli | extension
// shared/ (the webview protocol) sits beside dicom: types only, read by the extension and media/.
const layers = ['dicom', 'net', 'dimse', 'services', 'ae', 'archive', 'dicomweb'];
const top = ['cli', 'extension'];
// The dataset types the webview protocol names. src/shared and media/ run in the browser too, so
// they import these files themselves rather than src/dicom's entry (which loads Node modules).
const browserSafe = ['^src/dicom/view-model/types\\.ts$', '^src/dicom/pixels/frame-data\\.ts$'];
// A leaf module (no imports) the CLI reads before it loads anything else: going through the
// src/dicom entry would run every dicom module at start-up (dicomnet echo's start-up time, issue 16).
const leaves = ['^src/dicom/version\\.ts$'];

// For the layer at position i: every folder that comes after it (it may not import those).
const later = (i) => [...layers.slice(i + 1), ...top];
const layerRules = layers.map((name, i) => ({
  name: `layer-${name}`,
  comment: `src/${name} imports only from the layers above it: ${layers.slice(0, i).join(', ') || '(none)'}`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: `^src/(${later(i).join('|')}|index\\.ts$)` },
}));

// src/extension's subfolders, each importing only from the ones before it (and the extension's
// root modules: log, state, secrets, engine-loader, text). engine/ is the facade bundle (dist/engine.js):
// the rest of the extension takes only types from it and loads it through engine-loader.ts, so that
// activation never evaluates the engine.
const extensionFolders = ['config', 'engine', 'ui', 'local-scp', 'backends', 'tree', 'associations', 'webviews', 'commands'];
const extensionRules = extensionFolders.map((name, i) => ({
  name: `extension-${name}`,
  comment: `src/extension/${name} imports only from ${extensionFolders.slice(0, i).join(', ') || '(no other subfolder)'} and the extension's root modules`,
  severity: 'error',
  from: { path: `^src/extension/${name}/` },
  to: { path: `^src/extension/(${extensionFolders.slice(i + 1).join('|') || '$^'})/` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    ...extensionRules,
    {
      name: 'extension-engine-types-only',
      comment: 'src/extension takes only types from its engine facade; the engine is loaded by engine-loader.ts on first use',
      severity: 'error',
      from: { path: '^src/extension/', pathNot: '^src/extension/engine/' },
      to: { path: '^src/extension/engine/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'layer-shared',
      comment: 'src/shared is the webview protocol: it may name dataset types, nothing that runs',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/', pathNot: ['^src/shared/', ...browserSafe] },
    },
    {
      name: 'extension-not-cli',
      comment: 'src/extension and src/cli are two front ends of the engine: neither imports the other',
      severity: 'error',
      from: { path: '^src/(cli|extension)/' },
      to: { path: '^src/(cli|extension)/', pathNot: '^src/$1/' },
    },
    {
      name: 'engine-not-extension',
      comment: 'only src/extension may import vscode; the engine runs in plain Node.js',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/extension/' },
      to: { path: '^vscode$', dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-no-pkg', 'unknown'] },
    },
    {
      name: 'entry-of-folder',
      comment: 'a folder of src/ is imported through its index.ts only (one public entry per folder)',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', ...browserSafe, ...leaves] },
    },
    {
      name: 'entry-of-package',
      comment: 'src/index.ts (the npm package) re-exports the folders\' entries, nothing deeper',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: '^src/[^/]+/', pathNot: '^src/[^/]+/index\\.ts$' },
    },
    // Subfolders have entries too, src/extension's included (their order: config, engine, ui,
    // local-scp, backends, tree, associations, webviews, commands; see src/README.md).
    {
      name: 'entry-of-subfolder',
      comment: 'a subfolder is imported through its index.ts by the rest of its folder',
      severity: 'error',
      from: { path: '^src/([^/]+)/[^/]+\\.ts$' },
      to: { path: '^src/$1/[^/]+/', pathNot: '^src/$1/[^/]+/index\\.ts$' },
    },
    {
      name: 'entry-of-sibling-subfolder',
      comment: 'a subfolder is imported through its index.ts by its sibling subfolders',
      severity: 'error',
      from: { path: '^src/([^/]+)/([^/]+)/' },
      to: { path: '^src/$1/[^/]+/', pathNot: ['^src/$1/$2/', '^src/$1/[^/]+/index\\.ts$'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'every import resolves to a file or an installed package',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
