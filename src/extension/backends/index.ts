// What the tree and the commands do with a node, whatever it speaks: DIMSE, DICOMweb or the local archive.
export type { Capability, FindQuery, NodeBackend, NodeView, RetrieveMethodChoice } from './backend';
export { NodeDirectory } from './directory';
