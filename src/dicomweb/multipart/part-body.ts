// The body of one part as the parser hands it out: read in order, at most once, checked against
// its Content-Length and the part size limit.

import { MultipartError } from './errors';

export interface MultipartPart {
  /** Zero-based position in the body. */
  readonly index: number;
  /** The part's header fields, names in lower case; repeated fields joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType?: string;
  readonly contentLocation?: string;
  readonly contentId?: string;
  /** Content-Length when the part declares one; the parser checks the body against it. */
  readonly contentLength?: number;
  /**
   * The part's body. Read it before asking for the next part; whatever is left unread is
   * drained (and discarded) when the next part is requested.
   */
  readonly body: AsyncIterable<Buffer>;
}

/** State of one search for a delimiter: the bytes held back because they may begin it. */
export interface Scan {
  readonly delimiter: Buffer;
  carry: Buffer;
  found: boolean;
}

/** What a part body reads from: the parser (MultipartReader). */
export interface PartSource {
  readonly partLimit: number;
  newScan(): Scan;
  partChunk(state: PartState): Promise<Buffer | null>;
}

export interface PartState {
  index: number;
  scan: Scan;
  received: number;
  contentLength?: number;
}

export class PartBody {
  private readonly state: PartState;
  private done = false;
  private stale = false;
  private busy = false;

  constructor(private readonly reader: PartSource, index: number, private readonly headers: Record<string, string>) {
    let contentLength: number | undefined;
    const declared = headers['content-length'];
    if (declared !== undefined) {
      if (!/^\d{1,15}$/.test(declared)) {
        throw new MultipartError(`Part ${index + 1} has the Content-Length ${JSON.stringify(declared)}, which is not a number.`, 'bad-content-length', 400, index);
      }
      contentLength = Number(declared);
      if (contentLength > reader.partLimit) {
        throw new MultipartError(`Part ${index + 1} is larger than the limit of ${reader.partLimit} bytes.`, 'part-too-large', 413, index);
      }
    }
    this.state = { index, scan: reader.newScan(), received: 0, contentLength };
  }

  describe(): MultipartPart {
    const h = this.headers;
    const part: MultipartPart = {
      index: this.state.index,
      headers: h,
      body: { [Symbol.asyncIterator]: () => this.iterator() },
      ...(h['content-type'] !== undefined ? { contentType: h['content-type'] } : {}),
      ...(h['content-location'] !== undefined ? { contentLocation: h['content-location'] } : {}),
      ...(h['content-id'] !== undefined ? { contentId: h['content-id'] } : {}),
      ...(this.state.contentLength !== undefined ? { contentLength: this.state.contentLength } : {}),
    };
    return part;
  }

  private iterator(): AsyncIterator<Buffer> {
    return {
      next: async () => {
        if (this.stale) {
          throw new MultipartError(`The body of part ${this.state.index + 1} was read after the next part was requested.`, 'out-of-order', 400, this.state.index);
        }
        if (this.done) return { done: true, value: undefined };
        if (this.busy) throw new MultipartError(`The body of part ${this.state.index + 1} is being read twice at the same time.`, 'out-of-order', 400, this.state.index);
        this.busy = true;
        try {
          const piece = await this.reader.partChunk(this.state);
          if (piece === null) {
            this.done = true;
            return { done: true, value: undefined };
          }
          return { done: false, value: piece };
        } finally {
          this.busy = false;
        }
      },
      // Leaving a for-await loop early is fine: the rest is drained before the next part.
      return: async () => ({ done: true, value: undefined }),
    };
  }

  async drain(): Promise<void> {
    while (!this.done) {
      if ((await this.reader.partChunk(this.state)) === null) this.done = true;
    }
    this.stale = true;
  }
}

/**
 * Reads a whole part body into one buffer, for parts known to be small (JSON, XML metadata).
 * @throws MultipartError (413) when the body is larger than maxBytes.
 */
export async function readPartBody(part: MultipartPart, maxBytes: number): Promise<Buffer> {
  const pieces: Buffer[] = [];
  let size = 0;
  for await (const piece of part.body) {
    size += piece.length;
    if (size > maxBytes) {
      throw new MultipartError(`Part ${part.index + 1} is larger than the limit of ${maxBytes} bytes.`, 'part-too-large', 413, part.index);
    }
    pieces.push(piece);
  }
  return Buffer.concat(pieces, size);
}
