// The SCU side of the engine: an ApplicationEntity opens associations; a ClientAssociation runs
// services over one of them (requestor.ts holds what opening one and verifying over it take).
import { Association } from '../net';
import { Dataset } from '../dicom';
import { EchoResult } from '../services';
import { RetrieveOptions, RetrieveProgress, RetrieveSummary, getScu, moveScu } from '../services';
import { StoreBackend } from '../services';
import { StoreFile, StoreResult, storeDataset, storeFile } from '../services';
import { LimitedFindOptions, LimitedFindSummary, limitedFind } from './limited-find';
import { CommitmentRequestOptions, PendingCommitment, requestCommitment } from '../services';
import { SopReference } from '../services';
import { MppsCreated, createMpps, getMpps, setMpps } from '../services';
import { NResponse } from '../services';
import { AssociateOptions, AssociationRequestor, BasicClientAssociation, verificationContext } from './requestor';

export class ApplicationEntity extends AssociationRequestor {
  /** Opens an association. Rejections, aborts and timeouts reject with a readable error. */
  async associate(options: AssociateOptions, onCreated?: (association: Association) => void): Promise<ClientAssociation> {
    const { association, calledAeTitle, callingAeTitle } = await this.open(options, onCreated);
    return new ClientAssociation(this, association, calledAeTitle, callingAeTitle);
  }

  /** One association, one C-ECHO, release. */
  async echo(options: Omit<AssociateOptions, 'contexts'>): Promise<EchoResult> {
    const client = await this.associate({ ...options, contexts: [verificationContext()] });
    try {
      return await client.echo();
    } finally {
      await client.releaseOrAbort();
    }
  }
}

export class ClientAssociation extends BasicClientAssociation {
  declare readonly ae: ApplicationEntity;

  /**
   * C-FIND (or Modality Worklist with model 'worklist'): pending identifiers as they arrive.
   * With `limit`, C-CANCEL goes out at the limit and the rest of the answer is drained.
   */
  find(identifier: Dataset, options: LimitedFindOptions): AsyncGenerator<Dataset, LimitedFindSummary> {
    return limitedFind(this, identifier, options);
  }

  /** C-MOVE to a destination AE the peer knows; yields sub-operation progress. */
  move(identifier: Dataset, destination: string, options: RetrieveOptions): AsyncGenerator<RetrieveProgress, RetrieveSummary> {
    return moveScu(this, identifier, destination, options);
  }

  /** C-GET: instances come back over this association into `backend`. */
  get(identifier: Dataset, backend: StoreBackend, options: RetrieveOptions): AsyncGenerator<RetrieveProgress, RetrieveSummary> {
    return getScu(this, identifier, backend, options);
  }

  /** C-STORE of one file (on the contexts negotiated) or of a data set in memory. */
  store(input: StoreFile | Dataset): Promise<StoreResult> {
    return input instanceof Dataset ? storeDataset(this, input) : storeFile(this, input);
  }

  /**
   * Storage Commitment Request (N-ACTION, PS3.4 J.3.2): resolves once the SCP accepted it; the
   * report settles `result`, whether it comes on this association or (with `options.router`, the
   * router of a local server listening as our AE) on one the SCP opens.
   */
  requestStorageCommitment(references: readonly SopReference[], options?: CommitmentRequestOptions): Promise<PendingCommitment> {
    return requestCommitment(this, references, options);
  }

  /** MPPS N-CREATE (PS3.4 F.7.2.1); the new instance's UID is ours unless `sopInstanceUid` is null. */
  createMpps(attributes: Dataset, sopInstanceUid?: string | null): Promise<MppsCreated> {
    return createMpps(this, attributes, sopInstanceUid);
  }

  /** MPPS N-SET (PS3.4 F.7.2.2). */
  setMpps(sopInstanceUid: string, modifications: Dataset): Promise<NResponse> {
    return setMpps(this, sopInstanceUid, modifications);
  }

  /** MPPS Retrieve N-GET (PS3.4 F.8), all attributes or those listed. */
  getMpps(sopInstanceUid: string, attributes?: readonly number[]): Promise<NResponse> {
    return getMpps(this, sopInstanceUid, attributes);
  }
}
