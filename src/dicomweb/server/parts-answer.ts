// Sending a multipart/related answer whose parts come from a PartQueue. The status is decided once
// the first part is made: 200 when nothing was left out, 206 Partial Content with one Warning
// header per part left out (PS3.18 8.5), an error when no part could be made. A part that fails
// after the status went out is left out too; its sentence goes in a Warning trailer (announced
// with `Trailer: Warning`), since an HTTP status cannot change once sent.

import { makeBoundary, multipartStream } from '../multipart';
import { multipartContentType } from '../media-types';
import { HttpError } from './http-error';
import { RequestContext } from './context';
import { PartQueue } from './part-queue';
import { streamBody, warning } from './respond';

/** Warning headers at most; the rest are counted in the last one. */
const MAX_WARNINGS = 20;

function warnings(failures: readonly string[]): string[] {
  const out = failures.slice(0, MAX_WARNINGS).map(warning);
  if (failures.length > MAX_WARNINGS) out.push(warning(`${failures.length - MAX_WARNINGS} more parts were left out.`));
  return out;
}

export interface PartsAnswer {
  /** Media type of the parts (the multipart's type parameter) and, when all share one, their syntax. */
  partType: string;
  transferSyntaxUid?: string;
  /** Parts left out before any was made (nothing acceptable could be planned for them). */
  refused?: readonly string[];
  /** The error when no part at all can be sent (given every sentence, the refused ones first). */
  nothingSent(failures: readonly string[]): HttpError;
}

export interface PartsSent {
  sent: number;
  /** Every part left out, with its sentence. */
  leftOut: string[];
}

export async function sendParts(rc: RequestContext, queue: PartQueue, o: PartsAnswer): Promise<PartsSent> {
  const refused = o.refused ?? [];
  if (!(await queue.ready())) throw o.nothingSent([...refused, ...queue.failures]);
  const early = [...refused, ...queue.failures];
  const boundary = makeBoundary();
  rc.res.writeHead(early.length ? 206 : 200, {
    'Content-Type': multipartContentType(o.partType, boundary, o.transferSyntaxUid),
    ...(early.length ? { Warning: warnings(early) } : {}),
    ...(queue.converts ? { Trailer: 'Warning' } : {}),
  });
  const late: string[] = [];
  await streamBody(rc.res, multipartStream((async function* () {
    yield* queue.parts((sentence) => late.push(sentence));
    if (late.length) rc.res.addTrailers({ Warning: warnings(late).join(', ') });
  })(), boundary));
  return { sent: queue.total - queue.failures.length, leftOut: [...refused, ...queue.failures] };
}

/** "3 instances, 1 left out: Instance … was left out: …" for the request's log line. */
export function describeSent(r: PartsSent, what: string, extra = ''): string {
  const n = `${r.sent} ${what}${r.sent === 1 ? '' : 's'}${extra}`;
  return r.leftOut.length ? `${n}, ${r.leftOut.length} left out: ${r.leftOut[0]}${r.leftOut.length > 1 ? ' …' : ''}` : n;
}
