// A small command-line parser: --name value, --name=value, -a value, flags, repeatable options,
// positional arguments, and --help text built from the same specification.

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface OptionSpec {
  name: string;
  alias?: string;
  kind: 'string' | 'number' | 'flag';
  repeatable?: boolean;
  valueName?: string;
  description: string;
}

export interface ParsedArgs {
  options: Map<string, (string | number | boolean)[]>;
  positional: string[];
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const byName = new Map<string, OptionSpec>();
  for (const spec of specs) {
    byName.set(`--${spec.name}`, spec);
    if (spec.alias) byName.set(spec.alias.length === 1 ? `-${spec.alias}` : `--${spec.alias}`, spec);
  }
  const options = new Map<string, (string | number | boolean)[]>();
  const positional: string[] = [];
  let onlyPositional = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositional || !arg.startsWith('-') || arg === '-') { positional.push(arg); continue; }
    if (arg === '--') { onlyPositional = true; continue; }
    const eq = arg.indexOf('=');
    const key = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = byName.get(key);
    if (!spec) throw new UsageError(`unknown option ${key}`);
    let value: string | number | boolean;
    if (spec.kind === 'flag') {
      if (eq > 0) throw new UsageError(`option --${spec.name} takes no value`);
      value = true;
    } else {
      let text: string | undefined;
      if (eq > 0) text = arg.slice(eq + 1);
      else { text = argv[i + 1]; i++; }
      if (text === undefined) throw new UsageError(`option --${spec.name} needs a value`);
      if (spec.kind === 'number') {
        const n = Number(text);
        if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`option --${spec.name} needs a number, not "${text}"`);
        value = n;
      } else {
        value = text;
      }
    }
    const list = options.get(spec.name) ?? [];
    if (list.length > 0 && !spec.repeatable) throw new UsageError(`option --${spec.name} was given more than once`);
    list.push(value);
    options.set(spec.name, list);
  }
  return { options, positional };
}

export class Args {
  constructor(readonly parsed: ParsedArgs) {}
  has(name: string): boolean { return this.parsed.options.has(name); }
  flag(name: string): boolean { return this.parsed.options.has(name); }
  string(name: string): string | undefined { return this.parsed.options.get(name)?.[0] as string | undefined; }
  strings(name: string): string[] { return (this.parsed.options.get(name) ?? []) as string[]; }
  number(name: string): number | undefined { return this.parsed.options.get(name)?.[0] as number | undefined; }
  get positional(): string[] { return this.parsed.positional; }

  integer(name: string, min: number, max: number): number | undefined {
    const n = this.number(name);
    if (n === undefined) return undefined;
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`option --${name} must be a whole number from ${min} to ${max}, not ${n}`);
    return n;
  }
}

export function formatHelp(usage: string, summary: string, specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => {
    const names = [s.alias ? (s.alias.length === 1 ? `-${s.alias}` : `--${s.alias}`) : undefined, `--${s.name}`].filter(Boolean).join(', ');
    const value = s.kind === 'flag' ? '' : ` ${s.valueName ?? (s.kind === 'number' ? 'N' : 'VALUE')}`;
    return [`${names}${value}`, s.description + (s.repeatable ? ' (repeatable)' : '')];
  });
  const width = Math.min(32, Math.max(...rows.map((r) => r[0].length), 0) + 2);
  const lines = rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
  return `${summary}\n\nUsage: ${usage}\n\nOptions:\n${lines.join('\n')}\n`;
}
