// "DICOM: Echo Node" from the command palette, as a person runs it.
import { fixtures } from '../fixtures/index';
import { uiTest } from '../harness/uiRunner';
import { echoFromPalette } from './shared';

uiTest('Echo from the palette reports success and marks the node', async ({ page, screenshot }) => {
  await echoFromPalette(page, fixtures().info.demoPacs.name);
  await screenshot('echo-from-palette');
});
