// The association detail panel as a person uses it: Echo the Strict PACS from the palette, then
// "DICOM: Show Association…" and the newest association from its list; the panel shows the
// rejection reason and the proposed contexts, its tables take the keyboard, and its text is
// readable in light, dark and both high-contrast themes (docs/screenshots/association-detail-*.png).
import assert from 'node:assert/strict';
import { fixtures } from '../fixtures/index';
import { uiTest } from '../harness/uiRunner';
import { pickQuickItem, quickInput, runCommand, toast, waitForState } from '../harness/workbench';
import { parkMouse, publishScreenshot } from './shared';
import { assertReadable, collectCspViolations, switchTheme, visibleWebview } from './webview-helpers';

const TEXT = [
  '.ad-title', '.ad-summary-text', '.ad-fields dt', '.ad-fields dd', '.ad-section h2',
  '.ad-grid th', '.ad-grid td .cell-text', '.ad-grid td .cell-line', '.ad-empty', '.ad-button',
];

uiTest('Show Association on the Strict PACS\'s rejection: the reason and the proposed contexts, keyboard, readable in every theme', async ({ page, workspaceDir, screenshot }) => {
  const csp = collectCspViolations(page);
  const strict = fixtures().info.strictPacs;
  await runCommand(page, 'DICOM: Echo Node');
  await pickQuickItem(page, strict.name);
  await waitForState(toast(page, `Echo to ${strict.name} failed`), 'visible', 'the echo\'s failure toast', 30_000);

  await runCommand(page, 'DICOM: Show Association…');
  // Newest first: the rejected echo heads the list.
  const first = quickInput(page).locator('.quick-input-list .monaco-list-row').first();
  await waitForState(first, 'visible', 'the list of associations', 10_000);
  assert.match(await first.innerText(), new RegExp(`DICOMNET → ${strict.aeTitle}[\\s\\S]*rejected`));
  await pickQuickItem(page, `DICOMNET → ${strict.aeTitle}`);

  const view = visibleWebview(page);
  await waitForState(view.locator('.ad-summary', { hasText: 'calling AE title not recognised' }), 'visible', 'the rejection reason in the panel', 30_000);
  assert.equal((await view.locator('.ad-title').innerText()).trim(), `DICOMNET → ${strict.aeTitle}`);
  const contexts = view.locator('table[data-section="contexts"]');
  assert.match(await contexts.locator('tbody tr').first().innerText(), /Verification SOP Class[\s\S]*Little Endian[\s\S]*not answered \(association rejected\)/);
  assert.match(await view.locator('section[data-section="dcmtk"]').innerText(), new RegExp(`echoscu -aet DICOMNET -aec ${strict.aeTitle}`));

  // The keyboard: from the buttons into the first table, then along its cells.
  await view.locator('button.ad-button', { hasText: 'Copy as DCMTK Command' }).focus();
  await page.keyboard.press('Tab');
  const focused = view.locator('table.ad-grid :focus');
  await waitForState(focused.filter({ hasText: 'AE title' }), 'visible', 'the focus on the first cell of the negotiation table', 5_000);
  await page.keyboard.press('ArrowRight');
  await waitForState(focused.filter({ hasText: 'DICOMNET' }), 'visible', 'the focus on the requestor\'s AE title', 5_000);

  await runCommand(page, 'Notifications: Clear All Notifications');
  await parkMouse(page);
  await switchTheme(page, workspaceDir, 'Default Light Modern', 'vscode-light');
  await assertReadable(view, 'Light Modern', TEXT);
  publishScreenshot(await screenshot('association-detail-light'));
  await switchTheme(page, workspaceDir, 'Default Dark Modern', 'vscode-dark');
  await assertReadable(view, 'Dark Modern', TEXT);
  publishScreenshot(await screenshot('association-detail-dark'));
  await switchTheme(page, workspaceDir, 'Default High Contrast', 'vscode-high-contrast');
  await assertReadable(view, 'Dark High Contrast', TEXT);
  publishScreenshot(await screenshot('association-detail-high-contrast'));
  await switchTheme(page, workspaceDir, 'Default High Contrast Light', 'vscode-high-contrast-light');
  await assertReadable(view, 'Light High Contrast', TEXT);
  await screenshot('association-detail-high-contrast-light');
  assert.deepEqual(csp, [], 'Content Security Policy violations');
});
