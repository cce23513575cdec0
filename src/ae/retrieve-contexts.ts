// Presentation contexts for queries and retrievals, including the storage contexts a C-GET SCU
// proposes with the SCP role so instances come back in their own transfer syntax.
import {
  DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian, Uids,
} from '../dicom';
import { RoleSelection } from '../net';
import { FIND_SOP_CLASSES, GET_SOP_CLASSES, MOVE_SOP_CLASSES, QueryModelName } from '../services';
import { ProposedContext } from './requestor';

const QUERY_SYNTAXES = [ExplicitVRLittleEndian, ImplicitVRLittleEndian];
const P = '1.2.840.10008.5.1.4.1.1.';

/** Storage SOP classes a C-GET proposes when the caller does not say which to expect. */
export const COMMON_STORAGE_CLASSES: readonly string[] = [
  `${P}2`, `${P}4`, `${P}7`, `${P}1`, `${P}1.1`, `${P}1.2`, `${P}6.1`, `${P}3.1`, `${P}12.1`, `${P}20`, `${P}128`,
  `${P}2.1`, `${P}4.1`, `${P}481.1`, `${P}481.2`, `${P}481.3`, `${P}481.5`, `${P}88.11`, `${P}88.22`, `${P}88.33`,
  `${P}104.1`, `${P}7.4`, `${P}12.2`, `${P}9.1.1`, `${P}66`, `${P}1.2.1`, `${P}77.1.4`,
];

/** Compressed syntaxes, most common first: each gets its own context so it is accepted as it is. */
const NATIVE_SYNTAXES = [
  '1.2.840.10008.1.2.4.70', '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.5', '1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81', '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.57', DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian,
];

export function findContexts(model: QueryModelName): ProposedContext[] {
  return [{ abstractSyntax: FIND_SOP_CLASSES[model], transferSyntaxes: QUERY_SYNTAXES }];
}

export function moveContexts(model: Exclude<QueryModelName, 'worklist'>): ProposedContext[] {
  return [
    { abstractSyntax: MOVE_SOP_CLASSES[model], transferSyntaxes: QUERY_SYNTAXES },
    { abstractSyntax: FIND_SOP_CLASSES[model], transferSyntaxes: QUERY_SYNTAXES },
  ];
}

/**
 * The C-GET context plus storage contexts with SCP role selection, within the 128 limit: first
 * one Explicit and one Implicit VR Little Endian context for every SOP class, then one context per
 * other syntax, SOP class by SOP class, as long as room is left. One syntax per context lets the
 * peer send each instance as it holds it.
 */
export function getContexts(model: Exclude<QueryModelName, 'worklist'>, sopClasses: readonly string[] = COMMON_STORAGE_CLASSES,
  limit = 128): { contexts: ProposedContext[]; roles: RoleSelection[] } {
  const contexts: ProposedContext[] = [{ abstractSyntax: GET_SOP_CLASSES[model], transferSyntaxes: QUERY_SYNTAXES }];
  const classes = [...new Set(sopClasses)].slice(0, limit - 1);
  for (const ts of [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ...NATIVE_SYNTAXES]) {
    for (const uid of classes) {
      if (contexts.length >= limit) break;
      contexts.push({ abstractSyntax: uid, transferSyntaxes: [ts] });
    }
  }
  return { contexts, roles: classes.map((sopClassUid) => ({ sopClassUid, scuRole: 0, scpRole: 1 })) };
}

export function echoContext(): ProposedContext {
  return { abstractSyntax: Uids.Verification, transferSyntaxes: QUERY_SYNTAXES };
}
