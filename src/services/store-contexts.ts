// Presentation contexts for C-STORE: what to propose for a batch of files (their own syntaxes and
// what they can be converted to), how to split a batch over associations at the 128-context limit,
// and which accepted context a file goes out on.
import { NegotiatedContext, describeContextResult } from '../net';
import { sopClassName, transferSyntaxName } from '../dicom';
import { ServiceAssociation } from './context';
import { conversionTargets, preferredSyntaxes } from './store-conversion';
import { StoreFile } from './store-file-reading';

export interface ProposedStorageContext {
  abstractSyntax: string;
  transferSyntaxes: readonly string[];
}

/** The syntaxes the files of one SOP class can be converted to, best first. */
function fallbackSyntaxes(syntaxes: Iterable<string>, allowLossy: boolean): string[] {
  const own = [...syntaxes];
  const all = new Set(own.flatMap((ts) => conversionTargets(ts, allowLossy)));
  // In our order of preference, with the syntaxes the files are in too (another file may need them).
  return preferredSyntaxes(allowLossy).filter((ts) => all.has(ts));
}

/**
 * One context per (SOP class, transfer syntax) the files use, each proposing just that syntax
 * (so the data can go out unchanged), plus per SOP class one context proposing what they can
 * be converted to: the uncompressed syntaxes, then lossless compressed ones (lossy ones only
 * when allowed).
 */
export function proposeStorageContexts(files: readonly Pick<StoreFile, 'sopClassUid' | 'transferSyntaxUid'>[], allowLossy = false): ProposedStorageContext[] {
  const bySopClass = new Map<string, Set<string>>();
  for (const f of files) {
    const set = bySopClass.get(f.sopClassUid) ?? new Set<string>();
    set.add(f.transferSyntaxUid);
    bySopClass.set(f.sopClassUid, set);
  }
  const contexts: ProposedStorageContext[] = [];
  for (const [sopClass, syntaxes] of bySopClass) {
    for (const ts of syntaxes) contexts.push({ abstractSyntax: sopClass, transferSyntaxes: [ts] });
    const fallback = fallbackSyntaxes(syntaxes, allowLossy);
    if (fallback.length) contexts.push({ abstractSyntax: sopClass, transferSyntaxes: fallback });
  }
  return contexts;
}

/** Groups files so that each group's contexts fit in one association (at most 128). */
export function groupForAssociations<T extends Pick<StoreFile, 'sopClassUid' | 'transferSyntaxUid'>>(files: readonly T[], limit = 128): T[][] {
  const groups: { files: T[]; classes: Map<string, Set<string>>; count: number }[] = [];
  const cost = (syntaxes: Set<string>) => syntaxes.size + ([...syntaxes].some((ts) => conversionTargets(ts).length > 0) ? 1 : 0);
  for (const file of files) {
    let placed = false;
    for (const g of groups) {
      // A group that already holds this class and syntax takes the file at no cost (the common case).
      if (g.classes.get(file.sopClassUid)?.has(file.transferSyntaxUid)) {
        g.files.push(file);
        placed = true;
        break;
      }
      const syntaxes = new Set(g.classes.get(file.sopClassUid) ?? []);
      const before = g.classes.has(file.sopClassUid) ? cost(g.classes.get(file.sopClassUid)!) : 0;
      syntaxes.add(file.transferSyntaxUid);
      const count = g.count - before + cost(syntaxes);
      if (count <= limit) {
        g.classes.set(file.sopClassUid, syntaxes);
        g.count = count;
        g.files.push(file);
        placed = true;
        break;
      }
    }
    if (!placed) {
      const syntaxes = new Set([file.transferSyntaxUid]);
      groups.push({ files: [file], classes: new Map([[file.sopClassUid, syntaxes]]), count: cost(syntaxes) });
    }
  }
  return groups.map((g) => g.files);
}

export type ContextChoice = { context: NegotiatedContext; convert: boolean } | { reason: string };

/** The accepted context to send a file on, or why none fits. */
export function chooseContext(sa: ServiceAssociation, sopClassUid: string, transferSyntaxUid: string, requireRequestorScp = false, allowLossy = false): ContextChoice {
  // C-GET sub-operations may only use contexts on which the requestor accepted the SCP role.
  const forClass = [...sa.association.contexts.values()].filter((c) => c.abstractSyntax === sopClassUid && (!requireRequestorScp || c.requestorScp));
  const accepted = forClass.filter((c) => c.result === 0);
  const same = accepted.find((c) => c.transferSyntax === transferSyntaxUid);
  if (same) return { context: same, convert: false };
  const name = sopClassName(sopClassUid) ?? sopClassUid;
  const tsName = transferSyntaxName(transferSyntaxUid) ?? transferSyntaxUid;
  if (accepted.length === 0) {
    const why = forClass[0] ? describeContextResult(forClass[0].result) : 'not proposed';
    return { reason: `the peer does not accept ${name} (${why})` };
  }
  for (const ts of conversionTargets(transferSyntaxUid, allowLossy)) {
    const target = accepted.find((c) => c.transferSyntax === ts);
    if (target) return { context: target, convert: true };
  }
  const lossyOnly = conversionTargets(transferSyntaxUid, true).some((ts) => accepted.some((c) => c.transferSyntax === ts));
  const names = accepted.map((c) => transferSyntaxName(c.transferSyntax) ?? c.transferSyntax).join(', ');
  if (lossyOnly) return { reason: `the peer accepts ${name} only in ${names}, which would be lossy (allow lossy compression to send it)` };
  return { reason: `the peer accepts ${name} only in ${names}, which ${tsName} cannot be converted to` };
}
