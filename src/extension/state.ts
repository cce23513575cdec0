// Per-workspace memory: each node's last echo and its current study filter (Query… changes it;
// the node's studyFilter setting is the default).
import vscode = require('vscode');
import { StudyFilter } from './config';

export interface EchoStatus {
  ok: boolean;
  /** ISO time of the echo. */
  at: string;
  /** "success in 3 ms" or the reason it failed. */
  message: string;
}

const ECHO_KEY = 'dicomNetwork.echoStatus';
const FILTER_KEY = 'dicomNetwork.studyFilters';
const HISTORY_KEY = 'dicomNetwork.findHistory';

export class NodeState {
  constructor(private readonly memento: vscode.Memento, private readonly global: vscode.Memento) {}

  private table<T>(key: string): Record<string, T> {
    return { ...(this.memento.get<Record<string, T>>(key) ?? {}) };
  }

  echoStatus(name: string): EchoStatus | undefined {
    return this.table<EchoStatus>(ECHO_KEY)[name];
  }

  async setEchoStatus(name: string, status: EchoStatus): Promise<void> {
    const t = this.table<EchoStatus>(ECHO_KEY);
    t[name] = status;
    await this.memento.update(ECHO_KEY, t);
  }

  filterOverride(name: string): StudyFilter | undefined {
    return this.table<StudyFilter>(FILTER_KEY)[name];
  }

  async setFilterOverride(name: string, filter: StudyFilter | undefined): Promise<void> {
    const t = this.table<StudyFilter>(FILTER_KEY);
    if (filter === undefined) delete t[name]; else t[name] = filter;
    await this.memento.update(FILTER_KEY, t);
  }

  async forget(name: string): Promise<void> {
    for (const key of [ECHO_KEY, FILTER_KEY]) {
      const t = this.table<unknown>(key);
      delete t[name];
      await this.memento.update(key, t);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    for (const key of [ECHO_KEY, FILTER_KEY]) {
      const t = this.table<unknown>(key);
      if (from in t) {
        t[to] = t[from];
        delete t[from];
        await this.memento.update(key, t);
      }
    }
  }

  /** Find… key lines used before, most recent first. */
  findHistory(): string[] {
    return this.global.get<string[]>(HISTORY_KEY) ?? [];
  }

  async rememberFind(keys: string): Promise<void> {
    const list = [keys, ...this.findHistory().filter((k) => k !== keys)].slice(0, 20);
    await this.global.update(HISTORY_KEY, list);
  }
}
