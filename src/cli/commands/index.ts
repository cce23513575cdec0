// The entry of src/cli/commands: the dicomnet commands as the entry point knows them: what `--help` lists, and how to load each
// one. A command's module (and the engine parts it needs) is loaded only when it runs, so
// `dicomnet echo` does not pay for DICOMweb, codecs or the archive at start-up.
import type { Command } from '../command';

export interface CommandEntry {
  name: string;
  aliases?: readonly string[];
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'echo', summary: 'Verify a DICOM node with C-ECHO.', load: async () => (await import('./echo')).echoCommand },
  { name: 'store', aliases: ['store_scu', 'storescu'], summary: 'Send DICOM files and folders with C-STORE.', load: async () => (await import('./store')).storeCommand },
  { name: 'find', aliases: ['findscu'], summary: 'Query a PACS with C-FIND (Patient Root or Study Root, any level).', load: async () => (await import('./find')).findCommand },
  { name: 'move', aliases: ['movescu'], summary: 'Retrieve with C-MOVE: the peer sends the matches to a destination AE.', load: async () => (await import('./retrieve')).moveCommand },
  { name: 'get', aliases: ['getscu'], summary: 'Retrieve with C-GET: the matches come back over the same association into a folder.', load: async () => (await import('./retrieve')).getCommand },
  { name: 'worklist', summary: 'Query a Modality Worklist (MWL C-FIND).', load: async () => (await import('./find')).worklistCommand },
  { name: 'commit', summary: 'Ask an archive to commit to instances it holds (Storage Commitment, N-ACTION) and wait for its report.', load: async () => (await import('./commit')).commitCommand },
  { name: 'mpps', summary: 'Modality Performed Procedure Step: create (N-CREATE), set (N-SET), get (N-GET), or list what an archive received.', load: async () => (await import('./mpps')).mppsCommand },
  { name: 'qido', summary: 'Search a DICOMweb server with QIDO-RS (studies, series, instances).', load: async () => (await import('./qido')).qidoCommand },
  { name: 'stow', summary: 'Send DICOM files and folders to a DICOMweb server with STOW-RS.', load: async () => (await import('./stow')).stowCommand },
  { name: 'wado', summary: 'Retrieve a study, series or instance with WADO-RS (files, metadata, rendered images).', load: async () => (await import('./wado')).wadoCommand },
  { name: 'scp', summary: 'Run a DICOM server (SCP) that answers C-ECHO and the services enabled by its options.', load: async () => (await import('./scp')).scpCommand },
  { name: 'transcode', summary: 'Convert DICOM files and folders to another transfer syntax (decompress, compress, re-encode).', load: async () => (await import('./transcode')).transcodeCommand },
  { name: 'inspect', summary: 'Print the association records a --record FILE holds: negotiation, messages, outcome.', load: async () => (await import('./inspect')).inspectCommand },
];
