// The extension's local SCP: its controller (start, stop, settings, stored notices) and status bar item.
export { LocalScpController, LocalScpStoppedError } from './controller';
export { ScpStatusBar } from './status-bar';
