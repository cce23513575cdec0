// Counted words in the extension's texts ("1 instance", "3 matches"); free of vscode, so that the
// view models that use it run in plain Node too (their unit tests).

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
