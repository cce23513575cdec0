// The engine facade's types for the rest of src/extension. Only types: the facade itself is a bundle of
// its own (dist/engine.js), loaded on first use by ../engine-loader.ts, so activation never evaluates it.
export type { WebTarget } from './dicomweb';
export type { LocalScp } from './local-scp';
export type { Listing, OnMatch } from './query';
export type { AnsweredCommitmentSummary, ArchiveRecords, CommitmentItem, CommitmentOutcome, DimseTarget, EngineLog, InstanceSummary, LocalScpStats, MppsSummary, QueryLevel, QueryModel, QueryTable, RetrieveCounts, RetrieveOutcome, RetrieveScope, SendOutcome, SendProgress, SeriesSummary, StudySummary } from './types';
export type { FrameDecoderLike, OpenedDataset, ViewerEngine } from './viewer';
import type * as Facade from './facade';
/** The facade module as engine-loader.ts returns it. */
export type EngineFacade = typeof Facade;
