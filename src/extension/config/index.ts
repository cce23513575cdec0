// Settings and the node list: what the user configured, read and written through VS Code's configuration.
export { describeFilter, dicomDate, filterKeys } from './filters';
export { AnyNode, DicomwebAuth, DicomwebNode, DimseNode, LOCAL_NODE, LOCAL_NODE_NAME, RemoteNode, RetrieveMethod, StorageCommitmentChoice, StudyFilter, aeTitleProblem, hostProblem, portProblem, studyDateProblem, urlProblem } from './nodes';
export type { LocalNode } from './nodes';
export { LocalScpConfig, affectsAssociations, affectsLocalScp, affectsNodes, associationsKept, commitmentWaitSeconds, localScpConfig, readNodes, removeNode, saveNode, setLocalScpPort, storageFolderPath, timeoutSeconds } from './settings';
