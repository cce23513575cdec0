// Options shared by the DICOMweb commands (qido, stow, wado): where the service is, how to
// authenticate, and how DICOMweb errors become exit codes.
import { readFileSync } from 'node:fs';
import { DicomwebClient, DicomwebError, type DicomwebAuth } from '../../dicomweb';
import { Args, OptionSpec, UsageError } from '../args';
import { EXIT_NETWORK, EXIT_STATUS, EXIT_USAGE, sentence } from '../errors';
import { HELP_OPTION } from '../network-options';
import { formatBytes, formatRate } from '../progress';

export const WEB_OPTIONS: OptionSpec[] = [
  { name: 'url', kind: 'string', valueName: 'BASE', description: 'DICOMweb service root, e.g. http://host:8042/dicom-web' },
  { name: 'token', kind: 'string', valueName: 'TOKEN', description: 'bearer token (or env DICOMNET_TOKEN)' },
  { name: 'user', kind: 'string', valueName: 'NAME', description: 'basic authentication: user name' },
  { name: 'password', kind: 'string', valueName: 'SECRET', description: 'basic authentication: password (or env DICOMNET_PASSWORD)' },
  { name: 'header', alias: 'H', kind: 'string', repeatable: true, valueName: '"NAME: VALUE"', description: 'an extra request header' },
  { name: 'ca', kind: 'string', valueName: 'FILE', description: 'PEM file of certificate authorities to trust for https' },
  { name: 'timeout', kind: 'number', valueName: 'SECONDS', description: 'limit for connecting, for an answer to start and between chunks (default 30)' },
  { name: 'verbose', alias: 'v', kind: 'flag', description: 'stack traces on errors' },
  HELP_OPTION,
];

function authFrom(args: Args): DicomwebAuth | undefined {
  const user = args.string('user');
  const token = args.string('token');
  if (token !== undefined && user !== undefined) throw new UsageError('give either --token or --user/--password, not both');
  if (args.has('password') && user === undefined) throw new UsageError('--password needs --user');
  if (user !== undefined) {
    const password = args.string('password') ?? process.env.DICOMNET_PASSWORD;
    if (password === undefined) throw new UsageError('--user needs --password (or the environment variable DICOMNET_PASSWORD)');
    if (user.includes(':')) throw new UsageError('a basic authentication user name cannot contain ":"');
    return { kind: 'basic', username: user, password };
  }
  const bearer = token ?? process.env.DICOMNET_TOKEN;
  if (bearer !== undefined && bearer !== '') return { kind: 'bearer', token: bearer };
  return undefined;
}

function headersFrom(args: Args): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of args.strings('header')) {
    const colon = h.indexOf(':');
    const name = colon > 0 ? h.slice(0, colon).trim() : '';
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) throw new UsageError(`--header needs "Name: value", not "${h.slice(0, 60)}"`);
    const value = h.slice(colon + 1).trim();
    if (/[\r\n\0]/.test(value)) throw new UsageError(`the value of --header ${name} holds a line break`);
    out[name] = value;
  }
  return out;
}

/** A client for --url with the authentication, headers, CA and timeout the options give. */
export function webClient(args: Args): DicomwebClient {
  const url = args.string('url');
  if (!url) throw new UsageError('--url is required (the DICOMweb service root, e.g. http://host:8042/dicom-web)');
  if (!/^https?:\/\//i.test(url)) throw new UsageError(`--url must start with http:// or https://, not "${url.slice(0, 80)}"`);
  const seconds = args.number('timeout');
  if (seconds !== undefined && !(seconds > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  const caPath = args.string('ca');
  let ca: Buffer | undefined;
  if (caPath !== undefined) {
    try {
      ca = readFileSync(caPath);
    } catch (error) {
      throw new UsageError(`cannot read the CA file ${caPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  try {
    return new DicomwebClient({
      baseUrl: url,
      auth: authFrom(args),
      headers: headersFrom(args),
      ...(ca ? { ca } : {}),
      ...(seconds !== undefined ? { timeoutMs: Math.round(seconds * 1000) } : {}),
    });
  } catch (error) {
    if (error instanceof DicomwebError) throw new UsageError(error.message.replace(/\.$/, ''));
    throw error;
  }
}

/** The exit code for a DICOMweb failure: 3 for the connection, 2 for local input, 1 for the server's refusal. */
export function exitCodeForWeb(error: DicomwebError): number {
  switch (error.kind) {
    case 'network': case 'timeout': case 'aborted': return EXIT_NETWORK;
    case 'io': return EXIT_USAGE;
    default: return EXIT_STATUS;
  }
}

/**
 * Runs a command body with the client, an AbortSignal tied to Ctrl-C, and DICOMweb errors
 * printed as one sentence with their exit code.
 */
export async function runWeb(args: Args, body: (client: DicomwebClient, signal: AbortSignal) => Promise<number>): Promise<number> {
  const client = webClient(args);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await body(client, controller.signal);
  } catch (error) {
    if (!(error instanceof DicomwebError)) throw error;
    process.stderr.write(`dicomnet: ${sentence(error.message)}\n`);
    if (args.flag('verbose') && error.stack) process.stderr.write(`${error.stack}\n`);
    return exitCodeForWeb(error);
  } finally {
    process.removeListener('SIGINT', onSigint);
    client.close();
  }
}

/** A live "N files, X MB, rate" line on a terminal (stderr), for transfers of unknown size. */
export class TransferMeter {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;
  readonly enabled: boolean;
  items = 0;
  bytes = 0;

  constructor(private readonly label: string, private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = stream.isTTY === true;
  }

  add(items: number, bytes: number): void {
    this.items += items;
    this.bytes += bytes;
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const line = `${this.items} ${this.label}, ${formatBytes(this.bytes)}, ${formatRate(this.bytes, now - this.started)}`;
    const width = Math.min(this.stream.columns ?? 100, 120) - 1;
    this.stream.write(`\r${line.padEnd(width).slice(0, width)}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.stream.write(`\r${' '.repeat(Math.min(this.stream.columns ?? 100, 120) - 1)}\r`);
    this.drawn = false;
  }
}
