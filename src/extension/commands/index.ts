// Every contributed command and its handler; registerCommands() is called once at activation.
export type { CommandDeps } from './deps';
export { openRows, retrieveRows } from './query-results';
export { commandHandlers, registerCommands } from './register';
