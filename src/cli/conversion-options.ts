// Options naming a target transfer syntax and how far a conversion may go (transcode, scp
// --store-as, store): parsed and checked once, in one place.
import { resolveTransferSyntax, isLossyOnly, syntaxLabel, syntaxNames, EncodeParams } from '../dicom';
import { UnsupportedTransferSyntaxError } from '../dicom';
import { Args, OptionSpec, UsageError } from './args';

export const LOSSY_OPTIONS: OptionSpec[] = [
  { name: 'allow-lossy', kind: 'flag', description: 'allow lossy compression (JPEG Baseline, JPEG-LS near-lossless, lossy JPEG 2000/HTJ2K); never used without it' },
  { name: 'quality', kind: 'number', valueName: 'N', description: 'JPEG Baseline quality 1-100 (default 90; with --allow-lossy)' },
  { name: 'near-lossless', kind: 'number', valueName: 'N', description: 'JPEG-LS near-lossless: largest error per sample (default 2; with --allow-lossy)' },
  { name: 'ratio', kind: 'number', valueName: 'N', description: 'lossy JPEG 2000: compression ratio (default 10; with --allow-lossy)' },
];

/** Names for help texts: "explicit-le, implicit-le, …". */
export function syntaxNameList(): string {
  return syntaxNames().map((n) => n.name).join(', ');
}

/** A syntax named on the command line (UID or readable name), or a UsageError. */
export function syntaxOption(text: string, option: string): string {
  try {
    return resolveTransferSyntax(text);
  } catch (error) {
    if (error instanceof UnsupportedTransferSyntaxError) throw new UsageError(`--${option}: ${error.message.replace(/\.$/, '')}`);
    throw error;
  }
}

/** --allow-lossy and the lossy coding parameters. */
export function lossyParams(args: Args): EncodeParams {
  const allowLossy = args.flag('allow-lossy');
  for (const name of ['quality', 'near-lossless', 'ratio']) {
    if (args.has(name) && !allowLossy) throw new UsageError(`--${name} needs --allow-lossy`);
  }
  const params: EncodeParams = { lossy: allowLossy };
  const quality = args.integer('quality', 1, 100);
  const near = args.integer('near-lossless', 1, 255);
  const ratio = args.number('ratio');
  if (ratio !== undefined && !(ratio >= 1 && ratio <= 1000)) throw new UsageError('--ratio must be a number from 1 to 1000');
  if (quality !== undefined) params.quality = quality;
  if (near !== undefined) params.nearLossless = near;
  if (ratio !== undefined) params.ratio = ratio;
  return params;
}

/** A target the user named: a lossy-only syntax needs --allow-lossy. */
export function checkTarget(ts: string, params: EncodeParams, option: string): void {
  if (isLossyOnly(ts) && !params.lossy) {
    throw new UsageError(`--${option}: ${syntaxLabel(ts)} is lossy; add --allow-lossy to convert to it`);
  }
}
