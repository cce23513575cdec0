// dcmjs-dimse's storage SCP for the benchmark: accepts every storage context in Explicit or Implicit
// VR Little Endian and writes each instance as DIR/<SOP Instance UID>.dcm before answering.
// Usage: node store-scp.js --port PORT --dir DIR [--max-pdu BYTES]
'use strict';
const path = require('node:path');
const dimse = require('dcmjs-dimse');

const { Server, Scp, log } = dimse;
const { CEchoResponse, CStoreResponse } = dimse.responses;
const { Status, PresentationContextResult, TransferSyntax } = dimse.constants;

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const port = Number(option('port'));
const dir = option('dir');
const maxPdu = Number(option('max-pdu', '131072'));
if (!port || !dir) {
  process.stderr.write('usage: node store-scp.js --port PORT --dir DIR [--max-pdu BYTES]\n');
  process.exit(2);
}
// The library logs every PDU at its default level; a real deployment would not.
log.setLevel('error');

const PREFERRED = [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian];
const UID = /^[0-9.]{1,64}$/;

class BenchScp extends Scp {
  associationRequested(association) {
    this.association = association;
    association.setMaxPduLength(maxPdu);
    for (const c of association.getPresentationContexts()) {
      const context = association.getPresentationContext(c.id);
      const offered = context.getTransferSyntaxUids();
      const ts = PREFERRED.find((t) => offered.includes(t));
      if (ts) context.setResult(PresentationContextResult.Accept, ts);
      else context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
    }
    this.sendAssociationAccept();
  }

  cEchoRequest(request, callback) {
    const response = CEchoResponse.fromRequest(request);
    response.setStatus(Status.Success);
    callback(response);
  }

  cStoreRequest(request, callback) {
    const response = CStoreResponse.fromRequest(request);
    const uid = String(request.getAffectedSopInstanceUid() || '');
    if (!UID.test(uid)) {
      response.setStatus(Status.ProcessingFailure);
      callback(response);
      return;
    }
    request.getDataset().toFile(path.join(dir, `${uid}.dcm`), (error) => {
      response.setStatus(error ? Status.ProcessingFailure : Status.Success);
      callback(response);
    });
  }

  associationReleaseRequested() {
    this.sendAssociationReleaseResponse();
  }
}

const server = new Server(BenchScp);
server.on('networkError', (e) => process.stderr.write(`network error: ${e.message}\n`));
server.listen(port);
process.on('SIGTERM', () => { server.close(); process.exit(0); });
