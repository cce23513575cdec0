// The DICOMweb origin server (QIDO-RS, WADO-RS, STOW-RS) over the archive.

export { DicomwebServer, type DicomwebServerOptions } from './server';
export { type ArchiveAccess } from './context';
export { HttpError } from './http-error';
export { resolveResource, type Route, type Resource, type Target } from './routes';
