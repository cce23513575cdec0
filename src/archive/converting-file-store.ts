// A FileStore that converts what arrives to one transfer syntax before it is put in place (the
// archive's --store-as). Apart from FileStore so that a store keeping what it receives (dicomnet
// get, the extension's retrieve) does not load the transcoder, the codec pool and pako.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { ScannedElement, Tag, Tags } from '../dicom';
import { transcodeFile, describeFileTranscode } from '../dicom';
import { CodecPool, CodecPoolError, EncodeParams, FrameDecodeError, FrameEncodeError, UnsupportedConversionError } from '../dicom';
import { DicomParseError } from '../dicom';
import { encodingOf } from '../dicom';
import { Status } from '../dimse';
import { IncomingInstance } from '../services';
import { Conversion, Failure, FileStore, FileStoreOptions } from './file-store';

/** Convert what arrives to one transfer syntax before it is put in place. */
export interface StoreAs {
  transferSyntaxUid: string;
  /** Lossy coding allowed (and its parameters). */
  params?: EncodeParams;
  /** The codec pool (default: the process-wide one). */
  pool?: CodecPool;
}

export interface ConvertingFileStoreOptions extends FileStoreOptions {
  /** Store instances in this syntax (default: as received). */
  storeAs?: StoreAs;
}

export class ConvertingFileStore extends FileStore {
  declare readonly options: ConvertingFileStoreOptions;

  constructor(options: ConvertingFileStoreOptions) {
    super(options);
  }

  /**
   * The received file converted to the storeAs syntax, in the incoming folder: its path and what
   * changes in the record. Undefined when nothing is to be converted. An image whose layout the
   * target cannot hold is kept as received (said in `conversion`); one whose pixel data cannot be
   * decoded is refused.
   */
  protected override async convert(incoming: IncomingInstance, received: string, elements: Map<Tag, ScannedElement>): Promise<Conversion | undefined> {
    const target = this.options.storeAs;
    if (!target || target.transferSyntaxUid === incoming.transferSyntaxUid) return undefined;
    // Objects without pixel data go into a compressed syntax as they are: there is nothing to compress.
    if (!elements.has(Tags.PixelData) && encodingOf(target.transferSyntaxUid).encapsulated) {
      return { stored: { conversion: 'kept as received: it has no pixel data to compress' } };
    }
    const output = path.join(this.incomingDir, `${randomBytes(9).toString('hex')}.conv`);
    try {
      const r = await transcodeFile(received, output, target.transferSyntaxUid, { ...target.params, pool: target.pool });
      return {
        path: output,
        stored: {
          transferSyntaxUid: target.transferSyntaxUid, receivedTransferSyntaxUid: incoming.transferSyntaxUid,
          size: r.bytes, datasetOffset: r.datasetOffset, conversion: describeFileTranscode(r),
        },
      };
    } catch (error) {
      const text = (error as Error).message.replace(/\.$/, '');
      const message = /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
      if (error instanceof UnsupportedConversionError) return { stored: { conversion: `kept as received: ${message}` } };
      if (error instanceof FrameDecodeError || error instanceof FrameEncodeError || error instanceof CodecPoolError || error instanceof DicomParseError) {
        throw new Failure(Status.CannotUnderstand, 'the pixel data cannot be converted', `the pixel data cannot be converted: ${message}`);
      }
      throw error;
    }
  }
}
