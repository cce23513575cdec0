import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  tag, tagGroup, tagElement, formatTag, formatTagHex, parseTag, isPrivateTag, isPrivateCreator, Tags,
} from '../../../src/dicom/tag';

describe('tag', () => {
  test('builds unsigned 32-bit tags and splits them', () => {
    assert.equal(tag(0x0010, 0x0010), 0x00100010);
    const t = tag(0xfffe, 0xe000);
    assert.equal(t, 0xfffee000);
    assert.ok(t > 0, 'high groups stay positive');
    assert.equal(tagGroup(t), 0xfffe);
    assert.equal(tagElement(t), 0xe000);
    assert.equal(Tags.PixelData, tag(0x7fe0, 0x0010));
  });

  test('formats as (GGGG,EEEE) and GGGGEEEE', () => {
    assert.equal(formatTag(0x00100010), '(0010,0010)');
    assert.equal(formatTag(0x7fe00010), '(7FE0,0010)');
    assert.equal(formatTag(0xfffee0dd), '(FFFE,E0DD)');
    assert.equal(formatTagHex(0x0020000d), '0020000D');
  });

  test('parses the three accepted forms and rejects others', () => {
    for (const s of ['0010,0010', '00100010', '(0010,0010)', ' (0010,0010) ', '0010,0010']) {
      assert.equal(parseTag(s), 0x00100010, s);
    }
    assert.equal(parseTag('7fe0,0010'), 0x7fe00010);
    assert.equal(parseTag('FFFE,E0DD'), 0xfffee0dd);
    for (const s of ['', '0010', '0010,001', '(0010,0010', '0010,0010)', 'G010,0010', '0010;0010', '001000100']) {
      assert.equal(parseTag(s), undefined, s);
    }
  });

  test('private tags and creators', () => {
    assert.equal(isPrivateTag(0x00090010), true);
    assert.equal(isPrivateTag(0x00100010), false);
    assert.equal(isPrivateCreator(0x00090010), true);
    assert.equal(isPrivateCreator(0x000900ff), true);
    assert.equal(isPrivateCreator(0x00091001), false);
    assert.equal(isPrivateCreator(0x00080010), false);
  });
});
