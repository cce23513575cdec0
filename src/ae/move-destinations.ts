// C-MOVE destinations a server knows (AE title → address), opening associations for sub-operations.
import { MoveDestination } from '../services';
import { RetrievableInstance } from '../services';
import { proposeStorageContexts } from '../services';
import { ApplicationEntity } from './client';
import { TlsOptions } from './options';

export interface DestinationAddress {
  host: string;
  port: number;
  tls?: TlsOptions;
}

export class MoveDestinations {
  private readonly table = new Map<string, DestinationAddress>();

  constructor(private readonly ae: ApplicationEntity, entries: Iterable<[string, DestinationAddress]> = []) {
    for (const [aet, address] of entries) this.set(aet, address);
  }

  set(aeTitle: string, address: DestinationAddress): void {
    this.table.set(aeTitle.trim(), address);
  }

  delete(aeTitle: string): void {
    this.table.delete(aeTitle.trim());
  }

  has(aeTitle: string): boolean {
    return this.table.has(aeTitle.trim());
  }

  entries(): IterableIterator<[string, DestinationAddress]> {
    return this.table.entries();
  }

  /** The address registered for an AE title (C-MOVE destinations, storage commitment requesters). */
  address(aeTitle: string): DestinationAddress | undefined {
    return this.table.get(aeTitle.trim());
  }

  /** The destination for a C-MOVE, or undefined (answered with A801). */
  lookup(aeTitle: string): MoveDestination | undefined {
    const address = this.table.get(aeTitle.trim());
    if (!address) return undefined;
    return {
      aeTitle,
      open: async (files: readonly RetrievableInstance[]) => {
        const client = await this.ae.associate({
          host: address.host, port: address.port, calledAeTitle: aeTitle, tls: address.tls, contexts: proposeStorageContexts(files),
        });
        return { sa: client, close: () => client.releaseOrAbort() };
      },
    };
  }
}

/** Parses "AET=HOST:PORT" (the --dest option). */
export function parseDestination(text: string): [string, DestinationAddress] {
  const m = /^([^=]{1,16})=(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text.trim());
  if (!m) throw new RangeError(`"${text}" is not AET=HOST:PORT`);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new RangeError(`port ${port} in "${text}" is not between 1 and 65535`);
  return [m[1].trim(), { host: m[2].replace(/^\[|\]$/g, ''), port }];
}
