// `npm version` runs this after it bumped package.json: the engine's VERSION constant follows, so
// the extension, the dicomnet package and `dicomnet --version` stay one version.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = join(root, 'src', 'dicom', 'version.ts');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const text = readFileSync(file, 'utf8');
const updated = text.replace(/export const VERSION = '[^']*';/, `export const VERSION = '${version}';`);
if (!updated.includes(`'${version}'`)) throw new Error(`${file} has no "export const VERSION = '…';" line to update.`);
writeFileSync(file, updated);
// npm version commits what the lifecycle scripts staged.
if (process.env.npm_lifecycle_event === 'version') execFileSync('git', ['add', file], { cwd: root, stdio: 'inherit' });
console.log(`src/dicom/version.ts: VERSION = '${version}'`);
