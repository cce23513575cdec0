// The Nodes view: its elements, how each looks, its data provider and the handle commands refresh it through.
export { DataElement, isDataElement, isNodeElement, scopeOf, uidOf } from './elements';
export type { TreeElement } from './elements';
export { formatDicomDate, instanceLabel, seriesLabel, studyLabel } from './items';
export { NodesProvider } from './nodes-provider';
export { nodesTree } from './nodes-tree';
export type { NodesTree } from './nodes-tree';
