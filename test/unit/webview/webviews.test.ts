// The webview bundles in headless Chromium, under the production HTML and CSP (see harness.ts):
// the query results table with 10,000 rows, the dataset viewer's tree and its image preview.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ViewerHarness, send, waitForPosted, cspViolations } from './harness';
import { DEFAULT_COLUMNS } from '../../../src/extension/webviews/query-rows';
import type { QueryRowData } from '../../../src/shared/webview-protocol';
import { readPart10 } from '../../../src/dicom/part10';
import { buildDatasetView, fullValueOf } from '../../../src/dicom/view-model';
import { decodeFrameSync, initializeCodecs, summarizeImage, FrameData } from '../../../src/dicom/pixels';

// Page-side code (page.evaluate) runs in the browser, where these exist.
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

type Page = import('playwright-core').Page;

const TOTAL = 10_000;

function rowsFor(start: number, count: number): QueryRowData[] {
  const rows: QueryRowData[] = [];
  for (let i = start; i < start + count; i++) {
    rows.push({
      id: i,
      cells: [`DOE^PATIENT${String(i).padStart(5, '0')}`, `PAT-${String(i).padStart(5, '0')}`, '1970-01-01', `2024-01-${String((i % 28) + 1).padStart(2, '0')}`,
        '12:00:00', `ACC${i}`, i % 2 ? 'CT' : 'MR', `Study ${i}`, String(i % 7), String(i % 100), `1.2.3.${i}`],
    });
  }
  return rows;
}

const SAMPLES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

/** Answers a frame request as the host does (typed arrays survive postMessage in VS Code, so they do here). */
async function answerFrame(page: Page, requestId: number, frame: FrameData): Promise<void> {
  const kind = frame.pixels instanceof Int16Array ? 'int16' : frame.pixels instanceof Float32Array ? 'float32' : 'rgba';
  const { pixels, ...rest } = frame;
  await page.evaluate(({ json, values, kind: k }: { json: string; values: string; kind: string }) => {
    const msg = JSON.parse(json);
    const v = JSON.parse(values) as number[];
    msg.result.pixels = k === 'int16' ? new Int16Array(v) : k === 'float32' ? new Float32Array(v) : new Uint8ClampedArray(v);
    window.postMessage(msg, '*');
  }, { json: JSON.stringify({ type: 'response', requestId, ok: true, result: rest }), values: JSON.stringify(Array.from(pixels)), kind });
}

/** Gray levels of the canvas: how many distinct values, and a checksum. */
async function canvasStats(page: Page): Promise<{ distinct: number; sum: number; width: number }> {
  return page.locator('canvas.image-canvas').evaluate((c: { width: number; height: number; getContext(t: string): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } }) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) { seen.add(d[i]!); sum += d[i]!; }
    return { distinct: seen.size, sum, width: c.width };
  });
}

describe('webviews in headless Chromium', () => {
  let h: ViewerHarness;
  before(async () => {
    [h] = await Promise.all([ViewerHarness.start(), initializeCodecs()]);
  });
  after(async () => {
    await h?.close();
  });

  test('10,000 pending rows: counted, virtualised, sorted, filtered, selected, acted on, cancelled', async () => {
    const { page, record } = await h.open('query-results');
    await waitForPosted(page, (m) => m.type === 'ready', 'ready');
    await send(page, { type: 'qr/init', title: 'C-FIND STUDY on PACS', level: 'STUDY', columns: DEFAULT_COLUMNS.STUDY, actions: ['retrieve', 'open', 'copyUids', 'exportJson', 'exportCsv'], state: 'running' });
    for (let start = 0; start < TOTAL; start += 1000) await send(page, { type: 'qr/rows', rows: rowsFor(start, 1000) });
    const count = page.locator('.count');
    await count.filter({ hasText: '10,000 results' }).waitFor();
    const rendered = await page.locator('.virtual-row:not([hidden])').count();
    assert.ok(rendered > 5 && rendered < 120, `rows in the DOM: ${rendered}`);
    assert.equal(await page.locator('.grid-row.sticky-header [role=columnheader]').count(), DEFAULT_COLUMNS.STUDY.length);

    // Cancel while running.
    assert.equal(await page.locator('vscode-button', { hasText: 'Cancel' }).isVisible(), true);
    await page.locator('vscode-button', { hasText: 'Cancel' }).click();
    await waitForPosted(page, (m) => m.type === 'qr/cancel', 'qr/cancel');
    await send(page, { type: 'qr/state', state: 'cancelled', message: 'The query was cancelled after 10,000 matches.' });
    await page.locator('.status', { hasText: 'Cancelled.' }).waitFor();
    assert.equal(await page.locator('vscode-button', { hasText: 'Cancel' }).isVisible(), false);

    // Scrolling to the end shows the last rows, still few in the DOM.
    await page.locator('.viewport').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await page.locator('.virtual-row[data-index="9999"]').waitFor();
    assert.ok(await page.locator('.virtual-row:not([hidden])').count() < 120);

    // Sort by Patient ID descending (two clicks).
    const header = page.locator('[role=columnheader]', { hasText: 'Patient ID' });
    await header.click();
    await header.click();
    assert.equal(await header.getAttribute('aria-sort'), 'descending');
    await page.locator('.viewport').evaluate((el) => { el.scrollTop = 0; });
    await page.locator('.virtual-row[data-index="0"]', { hasText: 'PAT-09999' }).waitFor();

    // Filter.
    await page.locator('vscode-textfield.qr-filter input').fill('PAT-0004');
    await count.filter({ hasText: '10 of 10,000 results' }).waitFor();
    const firstShown = await page.locator('.virtual-row[data-index="0"] .cell').nth(1).textContent();
    assert.equal(firstShown, 'PAT-00049');

    // Select with click and shift+click, then act.
    await page.locator('.virtual-row[data-index="0"]').click();
    await page.locator('.virtual-row[data-index="2"]').click({ modifiers: ['Shift'] });
    await count.filter({ hasText: '3 selected' }).waitFor();
    assert.equal(await page.locator('.virtual-row[data-index="1"]').getAttribute('aria-selected'), 'true');
    await page.locator('vscode-button[data-action=retrieve]').click();
    const action = await waitForPosted<{ action: string; rowIds: number[] }>(page, (m) => m.type === 'qr/action' && m.action === 'retrieve', 'qr/action retrieve');
    assert.deepEqual(action.rowIds, [49, 48, 47]);

    // Keyboard: Down moves the focus and the selection, Ctrl+A selects all shown, Escape clears.
    await page.locator('.viewport').focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.locator('.virtual-row[data-index="3"]').getAttribute('aria-selected'), 'true');
    await page.keyboard.press('Control+a');
    await count.filter({ hasText: '10 selected' }).waitFor();
    await page.keyboard.press('Escape');
    await count.filter({ hasText: /^10 of 10,000 results$/ }).waitFor();

    // Export with nothing selected takes every row shown.
    await page.locator('vscode-button[data-action=exportCsv]').click();
    const exported = await waitForPosted<{ rowIds: number[] }>(page, (m) => m.type === 'qr/action' && m.action === 'exportCsv', 'qr/action exportCsv');
    assert.equal(exported.rowIds.length, 10);

    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(record.errors, []);
  });

  test('a failed query whose association is known: Show Association next to the reason, reached with Tab, posted with Enter', async () => {
    const { page, record } = await h.open('query-results');
    await waitForPosted(page, (m) => m.type === 'ready', 'ready');
    await send(page, { type: 'qr/init', title: 'Studies on Strict PACS', level: 'STUDY', columns: DEFAULT_COLUMNS.STUDY, actions: ['retrieve', 'copyUids', 'exportJson', 'exportCsv'], state: 'running' });
    const button = page.locator('.status vscode-button', { hasText: 'Show Association' });
    await page.locator('.status', { hasText: 'Receiving results…' }).waitFor();
    assert.equal(await button.count(), 0, 'no Show Association while the query runs');

    await send(page, { type: 'qr/state', state: 'failed', message: 'The peer rejected the association: calling AE title not recognised.', canShowAssociation: true });
    await page.locator('.status', { hasText: 'Failed. The peer rejected the association' }).waitFor();
    await button.waitFor({ state: 'visible' });
    // The keyboard: from the filter (the action buttons are disabled with no rows), Tab goes
    // through the table and its column headers to the button.
    await page.locator('vscode-textfield.qr-filter input').focus();
    const focused = () => button.evaluate((el) => el === document.activeElement);
    let tabs = 0;
    while (!(await focused()) && tabs < 3 + DEFAULT_COLUMNS.STUDY.length) {
      await page.keyboard.press('Tab');
      tabs++;
    }
    assert.equal(await focused(), true, `Show Association has no focus after ${tabs} presses of Tab`);
    await page.keyboard.press('Enter');
    await waitForPosted(page, (m) => m.type === 'qr/showAssociation', 'qr/showAssociation');

    // A failure with no association (DICOMweb, a connection refused before any association) offers none.
    await send(page, { type: 'qr/state', state: 'failed', message: 'Connection refused.' });
    await page.locator('.status', { hasText: 'Failed. Connection refused.' }).waitFor();
    assert.equal(await button.count(), 0);
    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(record.errors, []);
  });

  test('CT_small: element tree with search, show all and copy; image with window/level by drag, reset', async () => {
    const file = await readPart10(join(SAMPLES, 'CT_small.dcm'));
    // Short row values so that "show all" has something to fetch.
    const view = buildDatasetView(file, { limits: { maxChars: 12, maxValues: 4 } });
    const { page, record } = await h.open('dataset-viewer');
    await waitForPosted(page, (m) => m.type === 'ready', 'ready');
    await send(page, { type: 'ds/init', fileName: 'CT_small.dcm', view, image: summarizeImage(file.dataset, file.transferSyntaxUid) });

    // The tree: top-level rows only, fewer in the DOM than the dataset holds.
    const tree = page.locator('[role=treegrid][aria-label=Elements]');
    await tree.locator('.virtual-row:not([hidden])[data-row-id="d/00100010"]').waitFor();
    assert.equal(await tree.locator('.virtual-row:not([hidden])[data-row-id="d/00100010"] .value-text').textContent(), 'CompressedSa');
    const shown = await tree.locator('.virtual-row:not([hidden])').count();
    assert.ok(shown < view.rowCount, `rows in the DOM: ${shown} of ${view.rowCount}`);
    assert.match(await tree.locator('.virtual-row:not([hidden])[data-row-id="d/00091001"] .name').textContent() ?? '', /GEMS_IDEN_01/);

    // Search by tag, Enter focuses the match; then the keyboard opens the sequence with ArrowRight.
    const search = page.locator('vscode-textfield[aria-label="Search elements"] input');
    await search.fill('(0010,1002)');
    await page.locator('.toolbar span', { hasText: '1 match' }).waitFor();
    await search.press('Enter');
    const seq = tree.locator('.virtual-row:not([hidden])[data-row-id="d/00101002"]');
    await seq.and(page.locator('.active')).waitFor();
    await seq.click();
    assert.equal(await seq.getAttribute('aria-expanded'), 'false');
    await page.keyboard.press('ArrowRight');
    assert.equal(await seq.getAttribute('aria-expanded'), 'true');
    await tree.locator('.virtual-row:not([hidden])[data-row-id="d/00101002/0"]').waitFor();

    // Search by keyword reveals and counts matches.
    await search.fill('TypeOfPatientID');
    await page.locator('.toolbar span', { hasText: '2 matches' }).waitFor();
    assert.equal(await tree.locator('.virtual-row.match:not([hidden])').count(), 2);

    // "Show all" asks the host for the whole value and shows it.
    await search.fill('(0010,0010)');
    await page.locator('.toolbar span', { hasText: '1 match' }).waitFor();
    await search.press('Enter');
    const name = tree.locator('.virtual-row:not([hidden])[data-row-id="d/00100010"]');
    await name.and(page.locator('.active')).waitFor();
    await name.locator('.show-all').click();
    const req = await waitForPosted<{ requestId: number; params: { id: string } }>(page, (m) => m.type === 'request' && m.method === 'fullValue', 'fullValue request');
    assert.equal(req.params.id, 'd/00100010');
    await send(page, { type: 'response', requestId: req.requestId, ok: true, result: fullValueOf(req.params.id, { meta: file.metaDataset, dataset: file.dataset }) });
    await page.locator('.details pre', { hasText: 'CompressedSamples^CT1' }).waitFor();
    await page.keyboard.press('Escape');

    // Copy the focused row's value with Ctrl+C: the host does the clipboard.
    await name.click();
    await page.keyboard.press('Control+c');
    await waitForPosted(page, (m) => m.type === 'ds/copy' && m.rowId === 'd/00100010' && m.what === 'value', 'ds/copy');

    // The file meta has its own tab.
    await page.locator('vscode-tab-header[data-tab=meta]').click();
    await page.locator('[role=treegrid][aria-label="File meta"] .virtual-row:not([hidden])[data-row-id="m/00020010"] .value-text.truncated', { hasText: '1.2.840.1000' }).waitFor();
    assert.equal(await page.locator('[role=treegrid][aria-label=Elements]').isVisible(), false);

    // The image: the viewer asked for frame 0; the host answers with the decoded frame.
    const frameReq = await waitForPosted<{ requestId: number; params: { frame: number } }>(page, (m) => m.type === 'request' && m.method === 'frame', 'frame request');
    assert.equal(frameReq.params.frame, 0);
    const frame = decodeFrameSync(file.dataset, file.transferSyntaxUid, 0);
    await answerFrame(page, frameReq.requestId, frame);
    await page.locator('vscode-tab-header[data-tab=image]').click();
    const canvas = page.locator('canvas.image-canvas');
    await canvas.and(page.locator('[data-frame="0"]')).waitFor();
    const before = await canvasStats(page);
    assert.equal(before.width, 128);
    assert.ok(before.distinct > 50, `distinct gray levels: ${before.distinct}`);
    const centerBefore = Number(await canvas.getAttribute('data-center'));

    // Drag: right widens, down raises the center; the pixels change.
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 60, box.y + box.height / 2 + 40, { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction(() => Number(document.querySelector('canvas.image-canvas').dataset.center) !== Number(document.querySelector('canvas.image-canvas').dataset.initialCenter ?? NaN));
    const after = await canvasStats(page);
    assert.notEqual(Number(await canvas.getAttribute('data-center')), centerBefore);
    assert.notEqual(after.sum, before.sum);

    // Reset brings the first window and picture back.
    await page.locator('vscode-button', { hasText: 'Reset' }).click();
    await page.waitForFunction((c: number) => Number(document.querySelector('canvas.image-canvas').dataset.center) === c, centerBefore);
    assert.equal((await canvasStats(page)).sum, before.sum);

    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(record.errors, []);
  });

  test('a multi-frame file: the slider asks for other frames; a file without an image says so', async () => {
    const file = await readPart10(join(SAMPLES, 'rtdose.dcm'));
    const { page, record } = await h.open('dataset-viewer');
    await waitForPosted(page, (m) => m.type === 'ready', 'ready');
    await send(page, { type: 'ds/init', fileName: 'rtdose.dcm', view: buildDatasetView(file), image: summarizeImage(file.dataset, file.transferSyntaxUid) });
    const first = await waitForPosted<{ requestId: number }>(page, (m) => m.type === 'request' && m.method === 'frame', 'frame 0 request');
    await answerFrame(page, first.requestId, decodeFrameSync(file.dataset, file.transferSyntaxUid, 0));
    await page.locator('vscode-tab-header[data-tab=image]').click();
    await page.locator('.frame-label', { hasText: 'Frame 1 / 15' }).waitFor();
    await page.locator('canvas.image-canvas[data-frame="0"]').waitFor();
    await page.locator('.frame-slider').focus();
    await page.keyboard.press('End');
    const last = await waitForPosted<{ requestId: number; params: { frame: number } }>(page, (m) => m.type === 'request' && m.method === 'frame' && (m.params as { frame: number }).frame === 14, 'frame 14 request');
    await answerFrame(page, last.requestId, decodeFrameSync(file.dataset, file.transferSyntaxUid, 14));
    await page.locator('canvas.image-canvas[data-frame="14"]').waitFor();
    await page.locator('.frame-label', { hasText: 'Frame 15 / 15' }).waitFor();
    assert.deepEqual(record.errors, []);

    const plan = await readPart10(join(SAMPLES, 'rtplan.dcm'));
    const second = await h.open('dataset-viewer');
    await waitForPosted(second.page, (m) => m.type === 'ready', 'ready');
    await send(second.page, { type: 'ds/init', fileName: 'rtplan.dcm', view: buildDatasetView(plan), image: summarizeImage(plan.dataset, plan.transferSyntaxUid) });
    await second.page.locator('vscode-tab-header[data-tab=image]').click();
    await second.page.locator('.no-image', { hasText: 'RT Plan Storage instances have no image to show.' }).waitFor();
    const posted = await second.page.evaluate(() => window.__posted as Array<{ method?: string }>);
    assert.equal(posted.filter((m) => m.method === 'frame').length, 0);
    assert.deepEqual(await cspViolations(second.page), []);
    assert.deepEqual(second.record.errors, []);
  });
});
