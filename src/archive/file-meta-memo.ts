// The file meta of received instances, built once per sender and class: instances of one
// association usually differ only in their SOP Instance UID, so the last file meta is copied and
// that UID written over it when its padded length is the same (building it anew was the largest
// part of a FileStore.begin, and its optimized code ~70 ms of V8's compiler time per run).
import { buildFileMeta, checkUidChars } from '../dicom';

type MetaOptions = Pick<Parameters<typeof buildFileMeta>[0], 'sopClassUid' | 'sopInstanceUid' | 'transferSyntaxUid' | 'sourceAeTitle'>;

interface Template {
  sopClassUid: string;
  transferSyntaxUid: string;
  sourceAeTitle: string | undefined;
  /** The SOP Instance UID's value length (its length padded to even). */
  valueLength: number;
  /** Where that value starts. */
  valueAt: number;
  meta: Buffer;
}

/** (0002,0003) UI and its 16-bit value length, as they precede the value in the file meta. */
function sopInstanceHeader(valueLength: number): Buffer {
  const header = Buffer.from([0x02, 0x00, 0x03, 0x00, 0x55, 0x49, 0, 0]);
  header.writeUInt16LE(valueLength, 6);
  return header;
}

export class FileMetaMemo {
  private last: Template | undefined;

  /** buildFileMeta's bytes, and its errors, for the same options (implementation UID and version its defaults). */
  build(o: MetaOptions): Buffer {
    const uid = o.sopInstanceUid;
    const valueLength = uid.length + (uid.length & 1);
    const t = this.last;
    if (t && t.valueLength === valueLength && t.sopClassUid === o.sopClassUid && t.transferSyntaxUid === o.transferSyntaxUid
      && t.sourceAeTitle === o.sourceAeTitle) {
      checkUidChars(uid, 'SOP Instance UID');
      const meta = Buffer.allocUnsafe(t.meta.length);
      t.meta.copy(meta);
      meta.write(uid, t.valueAt, 'latin1');
      if (uid.length & 1) meta[t.valueAt + uid.length] = 0;
      return meta;
    }
    const meta = buildFileMeta({ sopClassUid: o.sopClassUid, sopInstanceUid: uid, transferSyntaxUid: o.transferSyntaxUid, sourceAeTitle: o.sourceAeTitle });
    const headerAt = meta.indexOf(sopInstanceHeader(valueLength), 144);
    this.last = headerAt < 0 ? undefined : {
      sopClassUid: o.sopClassUid, transferSyntaxUid: o.transferSyntaxUid, sourceAeTitle: o.sourceAeTitle,
      valueLength, valueAt: headerAt + 8, meta,
    };
    return meta;
  }
}
