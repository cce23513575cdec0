// The association detail webview in headless Chromium under the production HTML and CSP: record
// strings arrive as text (no element made from them), the tables are keyboard grids with one tab
// stop each, the actions are buttons, and an update of a live association keeps the focused cell.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ViewerHarness, send, waitForPosted, cspViolations } from './harness';
import { associationView } from '../../../src/extension/webviews/association-view';
import type { AssociationRecord } from '../../../src/ae/recording';

// Page-side code (page.evaluate) runs in the browser, where these exist.
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

type Page = import('playwright-core').Page;

const HOSTILE = '<img src=x onerror="document.title=\'pwned\'"><b>BOLD</b>';

function record(messages: number): AssociationRecord {
  return {
    version: 1, id: '9-4', direction: 'outbound', peerAddress: '127.0.0.1:11112', callingAeTitle: 'DICOMNET', calledAeTitle: HOSTILE,
    startedAt: '2026-12-06T10:51:35.242Z',
    negotiation: {
      applicationContext: '1.2.840.10008.3.1.1.1',
      requestor: { aeTitle: 'DICOMNET', maxPdu: 262144, implementationClassUid: '2.25.1', implementationVersionName: 'DICOMNET_0.1.0' },
      acceptor: { aeTitle: HOSTILE, maxPdu: 16384, implementationVersionName: '<script>alert(1)</script>' },
      contexts: [
        { id: 1, abstractSyntax: { uid: '1.2.840.10008.5.1.4.1.2.2.1', name: 'Study Root Query/Retrieve Information Model - FIND' },
          proposedTransferSyntaxes: [{ uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian' }, { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian' }],
          result: 0, resultText: 'accepted', transferSyntax: { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian' } },
        { id: 3, abstractSyntax: { uid: '1.2.840.10008.1.1', name: 'Verification SOP Class' },
          proposedTransferSyntaxes: [{ uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian' }], result: 4, resultText: 'rejected: transfer syntaxes not supported' },
      ],
      roles: [], extendedNegotiation: [], commonExtendedNegotiation: [],
    },
    messages: Array.from({ length: messages }, (_, i) => i === 0
      ? { at: 2, direction: 'sent' as const, contextId: 1, command: 'C-FIND-RQ', commandField: 0x20, messageId: 1, datasetBytes: 40,
        identifier: { level: 'STUDY', keys: [{ tag: '0010,0010', keyword: 'PatientName', value: '<i>DOE*</i>' }] } }
      : { at: 2 + i, direction: 'received' as const, contextId: 1, command: 'C-FIND-RSP', commandField: 0x8020, respondingTo: 1, datasetBytes: 100, responseMs: i,
        status: { code: 0xff00, hex: '0xFF00', class: 'pending' as const, meaning: 'Pending' } }),
  };
}

/** Where the keyboard focus is: the table's section and the cell's row and column, or the element's text. */
function focused(page: Page): Promise<{ section?: string; row?: number; col?: number; text: string }> {
  return page.evaluate(() => {
    const el = document.activeElement;
    const table = el?.closest?.('table');
    return table
      ? { section: table.dataset.section, row: el.parentElement.rowIndex, col: el.cellIndex, text: el.textContent }
      : { text: el?.textContent ?? '' };
  });
}

describe('association detail webview in headless Chromium', () => {
  let h: ViewerHarness;
  before(async () => { h = await ViewerHarness.start(); });
  after(async () => { await h?.close(); });

  test('record strings are text; tables are keyboard grids; buttons post their actions; a live update keeps the focus', async () => {
    const { page, record: pageRecord } = await h.open('association-detail');
    await waitForPosted(page, (m) => m.type === 'ready', 'ready');
    await send(page, { type: 'ad/view', view: associationView(record(3), 'open', { line: 'findscu -aet DICOMNET …' }) });
    await page.locator('h1.ad-title').filter({ hasText: 'DICOMNET →' }).waitFor();

    // Markup from the wire is shown, never parsed.
    assert.equal(await page.locator('h1.ad-title').innerText(), `DICOMNET → ${HOSTILE}`);
    assert.equal(await page.locator('main img, main b, main i, main script, header img').count(), 0, 'an element was made from a record string');
    assert.equal(await page.evaluate(() => document.title), `DICOMNET → ${HOSTILE}`);
    assert.ok((await page.locator('main').innerText()).includes('<script>alert(1)</script>'));
    assert.equal(await page.locator('.ad-liveness').innerText(), 'Open: this panel follows the association as it runs.');

    // Sections and the negotiation table's words.
    const contexts = page.locator('table[data-section="contexts"]');
    assert.equal(await contexts.getAttribute('role'), 'grid');
    assert.match(await contexts.locator('tbody tr').nth(1).innerText(), /Verification SOP Class[\s\S]*rejected: transfer syntaxes not supported/);

    // One tab stop per table; Tab from the last button reaches the first table's first cell.
    for (const t of await page.locator('table.ad-grid').all()) assert.equal(await t.locator('[tabindex="0"]').count(), 1);
    await page.locator('button.ad-button').last().focus();
    await page.keyboard.press('Tab');
    assert.deepEqual(await focused(page).then(({ section, row, col }) => ({ section, row, col })), { section: 'negotiation', row: 1, col: 0 });
    await page.keyboard.press('Tab');
    assert.deepEqual(await focused(page).then(({ section, row, col }) => ({ section, row, col })), { section: 'contexts', row: 1, col: 0 });

    // Arrows, Home/End, Ctrl+Home/End inside the grid.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await focused(page).then(({ row, col, text }) => ({ row, col, text })), { row: 2, col: 1, text: 'Verification SOP Class1.2.840.10008.1.1' });
    await page.keyboard.press('End');
    assert.equal((await focused(page)).col, 4);
    await page.keyboard.press('Control+Home');
    assert.deepEqual(await focused(page).then(({ row, col, text }) => ({ row, col, text })), { row: 0, col: 0, text: 'ID' });
    await page.keyboard.press('Control+End');
    assert.deepEqual(await focused(page).then(({ row, col }) => ({ row, col })), { row: 2, col: 4 });
    assert.equal(await contexts.locator('[tabindex="0"]').count(), 1, 'the tab stop follows the focus');

    // The message timeline: a live update keeps the focused cell.
    const messages = page.locator('table[data-section="messages"]');
    await messages.locator('tbody tr').nth(1).locator('td').nth(5).click();
    assert.deepEqual(await focused(page).then(({ section, row, col }) => ({ section, row, col })), { section: 'messages', row: 2, col: 5 });
    await send(page, { type: 'ad/view', view: associationView(record(5), 'open', undefined) });
    await messages.locator('tbody tr').nth(4).waitFor();
    assert.deepEqual(await focused(page).then(({ section, row, col, text }) => ({ section, row, col, text })), { section: 'messages', row: 2, col: 5, text: '0xFF00 Pending' });
    await page.keyboard.press('PageDown');
    assert.equal((await focused(page)).row, 5);

    // Buttons are buttons: a click and the keyboard both post the action.
    await page.locator('button.ad-button', { hasText: 'Copy as DCMTK Command' }).click();
    await waitForPosted(page, (m) => m.type === 'ad/action' && m.action === 'copyDcmtk', 'the Copy as DCMTK Command action');
    await page.locator('button.ad-button', { hasText: 'Export JSON' }).focus();
    await page.keyboard.press('Enter');
    await waitForPosted(page, (m) => m.type === 'ad/action' && m.action === 'exportJson', 'the Export JSON action');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Space');
    await waitForPosted(page, (m) => m.type === 'ad/action' && m.action === 'copyText', 'the Copy as Text action');

    // Closed, then dropped: the status line says so.
    const closed = { ...record(5), durationMs: 12, outcome: { kind: 'released' as const, description: 'released (we asked)', releasedBy: 'us' as const } };
    await send(page, { type: 'ad/view', view: associationView(closed, 'dropped', undefined) });
    await page.locator('.ad-summary', { hasText: 'Released (we asked)' }).waitFor();
    assert.match(await page.locator('.ad-liveness').innerText(), /no longer kept/);

    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(pageRecord.errors, []);
  });
});
