// The DICOM Associations view: the kept association records, their filters, labels and the view.
export type { NodeMatch } from './filters';
export { handleShowAssociation, showAssociationActions } from './show-action';
export { AssociationStore } from './store';
export { AssociationsView, SHOW_ASSOCIATION_COMMAND } from './view';
