// User identity negotiation (PS3.7 D.3.3.7) in the form callers use.
import { UserIdentityRq } from '../net';

export type UserIdentity =
  | { kind: 'username'; username: string; positiveResponseRequested?: boolean }
  | { kind: 'password'; username: string; password: string; positiveResponseRequested?: boolean }
  | { kind: 'kerberos' | 'saml' | 'jwt'; token: Buffer | string; positiveResponseRequested?: boolean };

const TYPE_CODES = { username: 1, password: 2, kerberos: 3, saml: 4, jwt: 5 } as const;
const KINDS = ['', 'username', 'password', 'kerberos', 'saml', 'jwt'] as const;

export function userIdentityItem(identity: UserIdentity): UserIdentityRq {
  const type = TYPE_CODES[identity.kind];
  const utf8 = (s: string | Buffer) => (Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8'));
  let primaryField: Buffer;
  let secondaryField: Buffer = Buffer.alloc(0);
  if (identity.kind === 'username') primaryField = utf8(identity.username);
  else if (identity.kind === 'password') { primaryField = utf8(identity.username); secondaryField = utf8(identity.password); }
  else primaryField = utf8(identity.token);
  if (primaryField.length > 0xffff || secondaryField.length > 0xffff) throw new RangeError('a user identity field is longer than 65535 bytes');
  return { type, positiveResponseRequested: identity.positiveResponseRequested ?? false, primaryField, secondaryField };
}

/** The identity a requestor presented, as the server's callback sees it. */
export interface PresentedIdentity {
  kind: (typeof KINDS)[number];
  typeCode: number;
  /** Username (types 1, 2) or the token as UTF-8 text (types 3–5). */
  primary: string;
  /** Passcode (type 2). */
  secondary: string;
  primaryBytes: Buffer;
  secondaryBytes: Buffer;
  positiveResponseRequested: boolean;
}

export function presentedIdentity(item: UserIdentityRq): PresentedIdentity {
  return {
    kind: KINDS[item.type] ?? '',
    typeCode: item.type,
    primary: item.primaryField.toString('utf8'),
    secondary: item.secondaryField.toString('utf8'),
    primaryBytes: item.primaryField,
    secondaryBytes: item.secondaryField,
    positiveResponseRequested: item.positiveResponseRequested,
  };
}
