// The extension's log file as the UI tests see it. code-server writes the log output channel of
// every window's extension host to <user-data>/logs/<session>/exthost<N>/<extension id>/<channel>.log;
// a window opened after `ExtensionLog.forNextWindow()` gets an exthost folder that did not exist
// then, and that folder's file is this window's log.
//
// The extension logs "command <id> started" at debug level each time one of its commands runs
// (src/extension/commands/index.ts); the UI runner opens every window with that channel at debug
// level, so a menu or palette pick can be confirmed by the command's own line.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { waitUntil } from '../../helpers/wait';

/** The extension's log output channel (src/extension/log.ts). */
export const LOG_CHANNEL = 'DICOM Network';

/** Contributed commands registered outside the commands wrapper: they log no start line. */
const UNLOGGED_COMMANDS = new Set(['dicomNetwork.openDatasetViewer']);

interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
}

export class ExtensionLog {
  private readonly known: Set<string>;
  private found: string | undefined;

  private constructor(
    private readonly logsDir: string,
    private readonly extensionId: string,
    private readonly commands: readonly ContributedCommand[],
  ) {
    this.known = new Set(this.exthostDirs());
  }

  /**
   * The log of the next window opened on the server with this user-data folder; `manifest` is
   * the extension's package.json (its id and its commands' titles).
   */
  static forNextWindow(userDataDir: string, manifest: { publisher: string; name: string; contributes?: { commands?: ContributedCommand[] } }): ExtensionLog {
    return new ExtensionLog(join(userDataDir, 'logs'), `${manifest.publisher}.${manifest.name}`, manifest.contributes?.commands ?? []);
  }

  /** The window's log file, once its extension host has written it. */
  file(): string | undefined {
    if (this.found) return this.found;
    const fresh = this.exthostDirs()
      .filter((d) => !this.known.has(d))
      .map((d) => join(d, this.extensionId, `${LOG_CHANNEL}.log`))
      .filter((f) => existsSync(f))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    this.found = fresh[0];
    return this.found;
  }

  text(): string {
    const file = this.file();
    try {
      return file ? readFileSync(file, 'utf8') : '';
    } catch {
      return '';
    }
  }

  /** The last `n` lines (fewer when the log is shorter). */
  tail(n = 40): string[] {
    return this.text().split('\n').filter((l) => l !== '').slice(-n);
  }

  /** Waits until the log has a line matching `pattern`; returns the match. */
  async waitForLine(pattern: RegExp, what: string, timeoutMs: number): Promise<RegExpMatchArray> {
    return waitUntil(what, () => this.text().match(pattern) ?? undefined, {
      timeoutMs,
      intervalMs: 100,
      detail: () => this.describeTail(),
    });
  }

  /** How many times command `id` has started in this window. */
  commandStarts(id: string): number {
    return this.text().split('\n').filter((l) => l.endsWith(` command ${id} started`)).length;
  }

  /** Waits until command `id` has started more than `before` times. */
  async waitForCommandStart(id: string, before: number, timeoutMs: number): Promise<void> {
    await waitUntil(`command ${id} to start (its "command ${id} started" line in the ${LOG_CHANNEL} log)`, () => this.commandStarts(id) > before, {
      timeoutMs,
      intervalMs: 100,
      detail: () => this.describeTail(),
    });
  }

  /** The id of the extension command a menu shows as `title`, when it logs its start. */
  commandForMenuTitle(title: string): string | undefined {
    return this.logged(this.commands.find((c) => c.title === title));
  }

  /** The id of the extension command the palette shows as "Category: Title", when it logs its start. */
  commandForPaletteTitle(title: string): string | undefined {
    return this.logged(this.commands.find((c) => (c.category ? `${c.category}: ${c.title}` : c.title) === title));
  }

  describeTail(n = 15): string {
    const file = this.file();
    if (!file) return `no ${LOG_CHANNEL} log of this window yet under ${this.logsDir}`;
    return `the last lines of ${file}:\n${this.tail(n).join('\n')}`;
  }

  private logged(c: ContributedCommand | undefined): string | undefined {
    return c && !UNLOGGED_COMMANDS.has(c.command) ? c.command : undefined;
  }

  private exthostDirs(): string[] {
    if (!existsSync(this.logsDir)) return [];
    const dirs: string[] = [];
    for (const session of readdirSync(this.logsDir, { withFileTypes: true })) {
      if (!session.isDirectory()) continue;
      for (const e of readdirSync(join(this.logsDir, session.name), { withFileTypes: true })) {
        if (e.isDirectory() && e.name.startsWith('exthost')) dirs.push(join(this.logsDir, session.name, e.name));
      }
    }
    return dirs;
  }
}

const logsByPage = new WeakMap<Page, ExtensionLog>();

/** Ties a window's log to its page, so the workbench helpers can confirm the commands they start. */
export function attachExtensionLog(page: Page, log: ExtensionLog): void {
  logsByPage.set(page, log);
}

export function extensionLogOf(page: Page): ExtensionLog | undefined {
  return logsByPage.get(page);
}
