// The extension in the report: the size of each bundle the VSIX installs and the extension's
// activation time, both from the last packaged-extension smoke run of the vscode suite (it installs
// the VSIX into code-server and writes test-results/vscode/packaged-extension.json). Read, not
// measured here: the benchmark neither packages nor starts VS Code.
import { existsSync, readFileSync } from 'node:fs';
import { packagedRunFile, type PackagedExtensionRun } from '../../test/vscode/packaged/record';

export type { PackagedExtensionRun };

export const ACTIVATION_GOAL_MS = 50;

export function readPackagedExtensionRun(repo: string): PackagedExtensionRun | undefined {
  const file = packagedRunFile(repo);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackagedExtensionRun;
  } catch {
    return undefined;
  }
}

const kb = (n: number) => `${(n / 1000).toFixed(n >= 100_000 ? 0 : 1)} kB`;

function lines(run: PackagedExtensionRun | undefined, table: (rows: string[][]) => string[]): string[] {
  if (!run) return ['No packaged-extension smoke run yet: `npm run test:vscode` (or `npm test`) writes test-results/vscode/packaged-extension.json.'];
  const met = run.activationMs < ACTIVATION_GOAL_MS;
  return [
    `From the packaged-extension smoke run of ${run.measuredAt.slice(0, 16).replace('T', ' ')} UTC (version ${run.version}, VSIX ${kb(run.vsixBytes)}):`,
    `activation ${run.activationMs} ms, VS Code's measure: code loading plus activate() (goal: under ${ACTIVATION_GOAL_MS} ms: ${met ? 'MET' : 'NOT MET'})` +
      `${run.activateCallMs === undefined ? '' : `; activate() alone ${run.activateCallMs} ms by the extension's log`}.`,
    '',
    ...table([['bundle', 'size'], ...Object.entries(run.bundles).sort(([a], [b]) => a.localeCompare(b)).map(([name, bytes]) => [name, kb(bytes)])]),
  ];
}

export function consoleExtension(run: PackagedExtensionRun | undefined): string {
  return ['\n-- the VS Code extension', ...lines(run, (rows) => {
    const width = Math.max(...rows.map((r) => r[0].length));
    return rows.map(([name, size]) => `${name.padEnd(width)}  ${size.padStart(9)}`);
  })].join('\n');
}

export function markdownExtension(run: PackagedExtensionRun | undefined): string {
  return ['## The VS Code extension', '', ...lines(run, ([head, ...rows]) => [
    `| ${head[0]} | ${head[1]} |`, '| --- | ---: |', ...rows.map(([name, size]) => `| ${name} | ${size} |`),
  ]), ''].join('\n');
}
