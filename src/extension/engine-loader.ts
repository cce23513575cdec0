// Loads the engine facade bundle (dist/engine.js) on first use. Only types are imported from it
// statically, so esbuild keeps the engine out of dist/extension.js and activation never evaluates it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EngineFacade } from './engine';

export type Engine = EngineFacade;

let loaded: Engine | undefined;
const loadListeners = new Set<(engine: Engine) => void>();

/** Where the facade is: next to the bundled extension (dist/engine.js), or the compiled sources (out/). */
function facadePath(): string {
  const bundled = path.join(__dirname, 'engine.js');
  return fs.existsSync(bundled) ? bundled : path.join(__dirname, 'engine', 'facade.js');
}

export function loadEngine(): Engine {
  if (!loaded) {
    // A computed path: esbuild leaves this require() alone instead of bundling the engine here.
    const file = facadePath();
    loaded = require(file) as Engine;
    for (const listener of loadListeners) listener(loaded);
  }
  return loaded;
}

export function isEngineLoaded(): boolean {
  return loaded !== undefined;
}

/** Calls `listener` once the engine is loaded (at once when it already is), e.g. to follow its association recorder. */
export function onEngineLoaded(listener: (engine: Engine) => void): { dispose(): void } {
  if (loaded) listener(loaded);
  else loadListeners.add(listener);
  return { dispose: () => { loadListeners.delete(listener); } };
}
