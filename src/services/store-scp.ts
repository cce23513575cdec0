// Storage SCP (PS3.4 Annex B): C-STORE requests streamed into a StoreBackend as they arrive.
import { TRANSFER_SYNTAXES, isStorageSopClass, currentStorageSopClasses } from '../dicom';
import { Command, CommandField, NO_DATASET } from '../dimse';
import { IncomingMessage } from '../dimse';
import { DatasetSink } from '../dimse';
import { Status } from '../dimse';
import { ServiceAssociation } from './context';
import { ScpService } from './scp-service';
import { StoreBackend, StoreOutcome, StoreTransaction } from './storage';

export interface StorageScpOptions {
  /** Accept abstract syntaxes that are not known storage SOP classes too. */
  promiscuous?: boolean;
  /** Transfer syntaxes to accept, in our preference order (default: every syntax we know). */
  transferSyntaxes?: readonly string[];
}

/** Every transfer syntax we know, uncompressed first. */
export function allTransferSyntaxes(): string[] {
  const all = [...TRANSFER_SYNTAXES.values()];
  return [...all.filter((t) => !t.encapsulated), ...all.filter((t) => t.encapsulated)].map((t) => t.uid);
}

/**
 * Sends the C-STORE-RSP for a request whose data set went into `transaction`. Shared by the
 * storage SCP and the C-GET SCU, which both answer C-STOREs.
 */
export class StoreReceiver {
  /** Commits not yet answered, per association and Message ID (unique only within an association). */
  private readonly pending = new WeakMap<ServiceAssociation['association'], Map<number, Promise<StoreOutcome>>>();

  constructor(private readonly backend: StoreBackend) {}

  private pendingOf(sa: ServiceAssociation): Map<number, Promise<StoreOutcome>> {
    let map = this.pending.get(sa.association);
    if (!map) {
      map = new Map();
      this.pending.set(sa.association, map);
      if (this.backend.sessionEnded) sa.association.once('closed', () => { void this.backend.sessionEnded?.(sa.association); });
    }
    return map;
  }

  sinkFor(sa: ServiceAssociation, contextId: number, command: Command): DatasetSink {
    const context = sa.association.contexts.get(contextId)!;
    const pending = this.pendingOf(sa);
    const transaction: StoreTransaction = this.backend.begin({
      sopClassUid: command.affectedSopClassUid ?? '',
      sopInstanceUid: command.affectedSopInstanceUid ?? '',
      transferSyntaxUid: context.transferSyntax,
      callingAeTitle: sa.peerAeTitle,
      calledAeTitle: sa.localAeTitle,
      moveOriginatorAeTitle: command.moveOriginatorAeTitle,
      moveOriginatorMessageId: command.moveOriginatorMessageId,
      session: sa.association,
    });
    const messageId = command.messageId ?? 0;
    // A backend that does not take views gets copies it may keep.
    const release = transaction.release?.bind(transaction);
    return {
      write: release ? (fragment) => transaction.write(fragment) : (fragment) => transaction.write(Buffer.from(fragment)),
      release: () => release?.(),
      end: () => {
        release?.();
        pending.set(messageId, transaction.commit());
      },
      abort: (error) => transaction.abort(error),
    };
  }

  async respond(sa: ServiceAssociation, request: IncomingMessage): Promise<void> {
    const command = request.command;
    const messageId = command.messageId ?? 0;
    const pending = this.pendingOf(sa);
    const committing = pending.get(messageId);
    pending.delete(messageId);
    const outcome = await (committing ?? Promise.resolve<StoreOutcome>({ status: Status.CannotUnderstand, comment: 'no data set arrived' }));
    try {
      await sa.channel.send(request.contextId, {
        commandField: CommandField.CStoreRsp,
        messageIdBeingRespondedTo: messageId,
        affectedSopClassUid: command.affectedSopClassUid,
        affectedSopInstanceUid: command.affectedSopInstanceUid,
        commandDataSetType: NO_DATASET,
        status: outcome.status,
        ...(outcome.comment ? { errorComment: outcome.comment.slice(0, 64) } : {}),
      });
    } finally {
      // Once written (the send resolves in this turn unless the socket is full): the peer waits
      // for the response, not for our bookkeeping.
      outcome.afterResponse?.();
    }
  }
}

export class StorageScp implements ScpService {
  readonly name = 'storage';
  private readonly table: Map<string, readonly string[]>;
  private readonly syntaxes: readonly string[];
  private readonly receiver: StoreReceiver;

  constructor(backend: StoreBackend, private readonly options: StorageScpOptions = {}) {
    this.syntaxes = options.transferSyntaxes ?? allTransferSyntaxes();
    this.table = new Map(currentStorageSopClasses().map((uid) => [uid, this.syntaxes]));
    this.receiver = new StoreReceiver(backend);
  }

  contexts(): ReadonlyMap<string, readonly string[]> {
    return this.table;
  }

  fallbackTransferSyntaxes(abstractSyntax: string): readonly string[] | undefined {
    if (isStorageSopClass(abstractSyntax) || this.options.promiscuous) return this.syntaxes;
    return undefined;
  }

  handles(command: Command, abstractSyntax: string): boolean {
    return command.commandField === CommandField.CStoreRq
      && (this.table.has(abstractSyntax) || isStorageSopClass(abstractSyntax) || this.options.promiscuous === true);
  }

  sinkFor(sa: ServiceAssociation, contextId: number, command: Command): DatasetSink | undefined {
    return this.receiver.sinkFor(sa, contextId, command);
  }

  handle(sa: ServiceAssociation, request: IncomingMessage): Promise<void> {
    return this.receiver.respond(sa, request);
  }
}
