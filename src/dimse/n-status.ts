// The statuses each DIMSE-N service may answer with (PS3.7 10.1.1.1.8, 10.1.2.1.9, 10.1.3.1.9,
// 10.1.4.1.10, 10.1.5.1.6, 10.1.6.1.7): Success, the general codes of Annex C listed for the
// service, and codes a Service Class defines (PS3.4), which are Axxx/Bxxx/Cxxx.

export type NServiceName = 'n-event-report' | 'n-get' | 'n-set' | 'n-action' | 'n-create' | 'n-delete';

export const N_SERVICE_NAMES: readonly NServiceName[] = ['n-event-report', 'n-get', 'n-set', 'n-action', 'n-create', 'n-delete'];

const COMMON = [0x0000, 0x0110, 0x0117, 0x0210, 0x0211, 0x0212, 0x0213] as const;

/** Annex C codes (0xxx) each service lists; the Service Class may add its own (Axxx, Bxxx, Cxxx). */
export const N_STATUS_CODES: Readonly<Record<NServiceName, ReadonlySet<number>>> = {
  'n-event-report': new Set([...COMMON, 0x0112, 0x0113, 0x0114, 0x0115, 0x0118, 0x0119]),
  'n-get': new Set([...COMMON, 0x0107, 0x0112, 0x0118, 0x0119, 0x0124]),
  'n-set': new Set([...COMMON, 0x0105, 0x0106, 0x0107, 0x0112, 0x0116, 0x0118, 0x0119, 0x0121, 0x0124]),
  'n-action': new Set([...COMMON, 0x0112, 0x0114, 0x0115, 0x0118, 0x0119, 0x0123, 0x0124]),
  'n-create': new Set([...COMMON, 0x0105, 0x0106, 0x0107, 0x0111, 0x0116, 0x0118, 0x0120, 0x0121, 0x0124]),
  'n-delete': new Set([...COMMON, 0x0112, 0x0118, 0x0119, 0x0124]),
};

export function isNService(name: string): name is NServiceName {
  return (N_SERVICE_NAMES as readonly string[]).includes(name);
}

/**
 * Whether `status` is one the service may answer with: a listed Annex C code, or a Service Class
 * specific one (Axxx/Bxxx/Cxxx). Other 0xxx codes are not for this service.
 */
export function isStatusOfNService(status: number, service: NServiceName): boolean {
  if (N_STATUS_CODES[service].has(status)) return true;
  const high = status >> 12;
  return high === 0xa || high === 0xb || high === 0xc;
}

/** Names that differ for the DIMSE-N services (Annex C titles). */
export function nStatusName(status: number): string | undefined {
  return status === 0x0117 ? 'Invalid SOP instance' : undefined;
}
