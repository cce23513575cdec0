import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ANY_TRANSFER_SYNTAX, MediaTypes, bulkDataMediaType, defaultTransferSyntax, isWebTransferSyntax,
  multipartContentType, negotiate, parseMultipartContentType, partMediaType, requestedTransferSyntax,
  transferSyntaxesFor,
} from '../../../src/dicomweb/media-types';
import { MediaTypeError, parseAccept, parseContentType, type MediaType } from '../../../src/dicomweb/multipart';
import { transferSyntax } from '../../../src/dicom/transfer-syntaxes';

const EVRLE = '1.2.840.10008.1.2.1';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const JPEG_LOSSLESS_SV1 = '1.2.840.10008.1.2.4.70';
const J2K_LOSSLESS = '1.2.840.10008.1.2.4.90';

describe('transfer syntax rules of the PS3.18 media types', () => {
  test('defaults (Tables 8.7.3-2, -4, -5)', () => {
    assert.equal(defaultTransferSyntax('application/dicom'), EVRLE);
    assert.equal(defaultTransferSyntax('application/octet-stream'), EVRLE);
    assert.equal(defaultTransferSyntax('image/jpeg'), JPEG_LOSSLESS_SV1);
    assert.equal(defaultTransferSyntax('IMAGE/JLS'), '1.2.840.10008.1.2.4.80');
    assert.equal(defaultTransferSyntax('image/jp2'), J2K_LOSSLESS);
    assert.equal(defaultTransferSyntax('image/jpx'), '1.2.840.10008.1.2.4.92');
    assert.equal(defaultTransferSyntax('image/dicom-rle'), '1.2.840.10008.1.2.5');
    assert.equal(defaultTransferSyntax('video/mpeg'), '1.2.840.10008.1.2.4.100');
    assert.equal(defaultTransferSyntax('video/mp4'), '1.2.840.10008.1.2.4.102');
    assert.equal(defaultTransferSyntax('application/dicom+json'), undefined);
  });

  test('every syntax in the table is one the registry knows, and maps back to its media type', () => {
    for (const mediaType of Object.values(MediaTypes)) {
      const list = transferSyntaxesFor(mediaType);
      if (!list) continue;
      assert.equal(list[0], defaultTransferSyntax(mediaType), mediaType);
      for (const uid of list) {
        assert.ok(transferSyntax(uid), `${uid} of ${mediaType} is not in the registry`);
        assert.equal(bulkDataMediaType(uid), mediaType, uid);
      }
    }
    assert.equal(bulkDataMediaType('1.2.840.10008.1.2'), 'application/octet-stream');
    assert.equal(bulkDataMediaType('1.2.840.10008.1.2.1.99'), 'application/octet-stream');
    assert.equal(bulkDataMediaType('1.2.840.10008.1.2.4.94'), undefined); // JPIP has no bulk data media type
  });

  test('web services do not use Implicit VR Little Endian or Explicit VR Big Endian', () => {
    assert.equal(isWebTransferSyntax(EVRLE), true);
    assert.equal(isWebTransferSyntax('1.2.840.10008.1.2'), false);
    assert.equal(isWebTransferSyntax('1.2.840.10008.1.2.2'), false);
    assert.equal(isWebTransferSyntax('1.2.3.04'), false);
  });

  test('requestedTransferSyntax: parameter, "*", default, and refusals with the caller\'s status', () => {
    assert.equal(requestedTransferSyntax(parseContentType('application/dicom')), EVRLE);
    assert.equal(requestedTransferSyntax(parseContentType('application/dicom; transfer-syntax=*')), ANY_TRANSFER_SYNTAX);
    assert.equal(requestedTransferSyntax(parseContentType(`application/dicom; transfer-syntax=${J2K_LOSSLESS}`)), J2K_LOSSLESS);
    assert.equal(requestedTransferSyntax(parseContentType('application/dicom; transfer-syntax=1.2.3.4.5')), '1.2.3.4.5');
    assert.equal(requestedTransferSyntax(parseContentType(`image/jpeg; transfer-syntax=${JPEG_BASELINE}`)), JPEG_BASELINE);
    assert.equal(requestedTransferSyntax(parseContentType('application/dicom+json')), undefined);
    const refusals: Array<[string, RegExp]> = [
      [`image/jpeg; transfer-syntax=${J2K_LOSSLESS}`, /image\/jpeg cannot carry the transfer syntax 1\.2\.840\.10008\.1\.2\.4\.90 \(JPEG 2000 Image Compression \(Lossless Only\)\)/],
      ['application/dicom; transfer-syntax=1.2.840.10008.1.2', /shall not be used with DICOM Web Services/],
      ['application/dicom; transfer-syntax=jpeg', /is not a UID/],
      ['application/octet-stream; transfer-syntax=1.2.840.10008.1.2.4.50', /cannot carry/],
      ['application/dicom+json; transfer-syntax=1.2.840.10008.1.2.1', /does not take a transfer-syntax/],
    ];
    for (const [header, message] of refusals) {
      assert.throws(() => requestedTransferSyntax(parseContentType(header), 415), (e: unknown) => {
        assert.ok(e instanceof MediaTypeError);
        assert.equal(e.status, 415);
        assert.match(e.message, message);
        return true;
      }, header);
    }
  });

  test('partMediaType takes the type and transfer-syntax parameters of multipart/related', () => {
    const part = partMediaType(parseContentType(`multipart/related; type="image/jpeg"; transfer-syntax=${JPEG_BASELINE}`));
    assert.deepEqual(part && [part.type, part.subtype, part.params['transfer-syntax']], ['image', 'jpeg', JPEG_BASELINE]);
    assert.equal(partMediaType(parseContentType('multipart/related; boundary=x')), undefined);
    const single = parseContentType('application/dicom');
    assert.equal(partMediaType(single), single);
  });
});

describe('multipart Content-Type helpers', () => {
  test('parseMultipartContentType', () => {
    const r = parseMultipartContentType('multipart/related; type="application/DICOM"; boundary="b=1"');
    assert.equal(r.boundary, 'b=1');
    assert.equal(r.type, 'application/dicom');
    assert.throws(() => parseMultipartContentType('application/dicom'), (e: unknown) => e instanceof MediaTypeError && e.status === 415);
    assert.throws(() => parseMultipartContentType('multipart/related; type="application/dicom"'), (e: unknown) => e instanceof MediaTypeError && e.status === 400);
  });

  test('multipartContentType writes what parseMultipartContentType reads', () => {
    const header = multipartContentType('application/dicom', 'dicomnet-abc', EVRLE);
    assert.equal(header, `multipart/related; type="application/dicom"; transfer-syntax=${EVRLE}; boundary=dicomnet-abc`);
    const r = parseMultipartContentType(header);
    assert.deepEqual([r.boundary, r.type, r.mediaType.params['transfer-syntax']], ['dicomnet-abc', 'application/dicom', EVRLE]);
  });
});

describe('negotiate (WADO-RS content negotiation)', () => {
  const mp = (type: string, ts?: string): MediaType => ({
    type: 'multipart', subtype: 'related', params: { type, ...(ts ? { 'transfer-syntax': ts } : {}) },
  });
  const show = (m: MediaType | undefined) => (m ? `${m.type}/${m.subtype} ${m.params['type'] ?? ''} ${m.params['transfer-syntax'] ?? ''}`.trim() : 'none');
  // A server holding a JPEG Baseline instance, preferring to send it as stored.
  const offers = [mp('application/dicom', JPEG_BASELINE), mp('application/dicom', EVRLE)];

  test('transfer-syntax=* takes the server\'s first choice', () => {
    const r = negotiate(parseAccept('multipart/related; type="application/dicom"; transfer-syntax=*'), offers);
    assert.equal(show(r?.offer), `multipart/related application/dicom ${JPEG_BASELINE}`);
  });

  test('no transfer-syntax parameter means the default syntax (Explicit VR Little Endian)', () => {
    const r = negotiate(parseAccept('multipart/related; type="application/dicom"'), offers);
    assert.equal(show(r?.offer), `multipart/related application/dicom ${EVRLE}`);
  });

  test('an explicit syntax picks it, or nothing when it is not offered', () => {
    assert.equal(show(negotiate(parseAccept(`multipart/related; type="application/dicom"; transfer-syntax=${EVRLE}`), offers)?.offer),
      `multipart/related application/dicom ${EVRLE}`);
    assert.equal(negotiate(parseAccept(`multipart/related; type="application/dicom"; transfer-syntax=${J2K_LOSSLESS}`), offers), undefined);
    assert.equal(negotiate(parseAccept('multipart/related; type="application/octet-stream"'), offers), undefined);
    assert.equal(negotiate(parseAccept('application/dicom+json'), offers), undefined);
  });

  test('q-values: the higher q wins over server order; q=0 excludes', () => {
    const accept = parseAccept(`multipart/related; type="application/dicom"; transfer-syntax=${JPEG_BASELINE}; q=0.4, multipart/related; type="application/dicom"; q=0.8`);
    const r = negotiate(accept, offers);
    assert.equal(show(r?.offer), `multipart/related application/dicom ${EVRLE}`);
    assert.equal(r?.q, 0.8);
    assert.equal(negotiate(parseAccept(`*/*, multipart/related; type="application/dicom"; transfer-syntax=${JPEG_BASELINE}; q=0`), offers)?.offer, offers[1]);
  });

  test('wildcards and an empty Accept take the first offer', () => {
    assert.equal(negotiate(parseAccept('*/*'), offers)?.offer, offers[0]);
    assert.equal(negotiate(parseAccept('multipart/*'), offers)?.offer, offers[0]);
    assert.equal(negotiate([], offers)?.offer, offers[0]);
    assert.equal(negotiate(parseAccept('image/*'), offers), undefined);
    assert.equal(negotiate(parseAccept('*/*'), []), undefined);
  });

  test('metadata: application/dicom+json and application/json', () => {
    const meta: MediaType[] = [{ type: 'application', subtype: 'dicom+json', params: {} }, { type: 'application', subtype: 'json', params: {} }];
    assert.equal(negotiate(parseAccept('application/json'), meta)?.offer, meta[1]);
    assert.equal(negotiate(parseAccept('application/dicom+json, application/json;q=0.9'), meta)?.offer, meta[0]);
    assert.equal(negotiate(parseAccept('application/dicom+xml'), meta), undefined);
  });
});
