// Person Name (PN) structure, PS3.5 6.2.1: up to three component groups separated by "="
// (alphabetic, ideographic, phonetic), each of up to five components separated by "^"
// (family name, given name, middle name, prefix, suffix). Works on decoded text.

export interface PersonNameGroups {
  alphabetic: string;
  ideographic: string;
  phonetic: string;
}

export interface PersonNameComponents {
  familyName: string;
  givenName: string;
  middleName: string;
  namePrefix: string;
  nameSuffix: string;
}

/** Splits one PN value into its component groups; missing groups are ''. Extra "=" stay in the phonetic group. */
export function splitPersonName(value: string): PersonNameGroups {
  const [alphabetic = '', ideographic = '', ...phonetic] = value.split('=');
  return { alphabetic, ideographic, phonetic: phonetic.join('=') };
}

/** Joins component groups with "=", leaving out empty trailing groups. */
export function joinPersonName(groups: Partial<PersonNameGroups>): string {
  const parts = [groups.alphabetic ?? '', groups.ideographic ?? '', groups.phonetic ?? ''];
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.join('=');
}

/** Splits one component group into its five components; missing components are ''. Extra "^" stay in the suffix. */
export function splitNameComponents(group: string): PersonNameComponents {
  const [familyName = '', givenName = '', middleName = '', namePrefix = '', ...suffix] = group.split('^');
  return { familyName, givenName, middleName, namePrefix, nameSuffix: suffix.join('^') };
}

/** Joins components with "^", leaving out empty trailing components. */
export function joinNameComponents(components: Partial<PersonNameComponents>): string {
  const parts = [
    components.familyName ?? '',
    components.givenName ?? '',
    components.middleName ?? '',
    components.namePrefix ?? '',
    components.nameSuffix ?? '',
  ];
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.join('^');
}
