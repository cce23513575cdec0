// The release of DICOM Network. The extension, the `dicomnet` npm package and its CLI share one
// version: package.json's "version". `npm version` rewrites this file (scripts/sync-version.mjs)
// and a unit test fails when the two differ.
export const VERSION = '0.1.0';
