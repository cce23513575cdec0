// A flood in a process of its own (bundled by bench/run.mjs as bench/data/build/flood.js), so that
// its work is not charged to the well-behaved client the hostile-load scenario measures.
// Usage: node flood.js '{"kind":"silent","port":11112,"concurrency":256}'
// Prints {"started":…,"ended":…,"failed":…} every 250 ms; stops on SIGTERM with a last line.
// Kind "cpu" is the control: no connection at all, the process only keeps one core busy, as every
// flood here does (what that alone costs the measured peer on this machine).
import { ApplicationEntity } from '../../src/ae/client';
import { verificationContext } from '../../src/ae/requestor';
import { encodePdu } from '../../src/net/pdu-encode';
import { Flood, FloodKind } from '../../test/helpers/flood';

interface Spec { kind: FloodKind | 'cpu'; port: number; concurrency: number; intervalMs?: number }

const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
if (spec.kind === 'cpu') keepOneCoreBusy();
const ae = new ApplicationEntity({ aeTitle: 'FLOOD' });
const target = { host: '127.0.0.1', port: spec.port, calledAeTitle: 'DICOMNET' };
const flood = new Flood({
  ...spec,
  kind: spec.kind === 'cpu' ? 'silent' : spec.kind,
  concurrency: spec.kind === 'cpu' ? 0 : spec.concurrency,
  bytes: spec.kind === 'slow' ? encodePdu(ae.buildRequest({ ...target, contexts: [verificationContext()] })) : undefined,
  association: spec.kind === 'short' ? () => ae.echo(target) : undefined,
});
const report = () => process.stdout.write(`${JSON.stringify({ started: flood.started, ended: flood.ended, failed: flood.failed })}\n`);
flood.start();
const timer = setInterval(report, 250);
process.once('SIGTERM', () => {
  clearInterval(timer);
  void flood.stop().then(() => { report(); process.exit(0); });
});

/** Busy for 50 ms at a time, turning the event loop in between (so the reports and SIGTERM get through). */
function keepOneCoreBusy(): void {
  const spin = () => {
    const until = Date.now() + 50;
    while (Date.now() < until) { /* busy */ }
    setImmediate(spin);
  };
  setImmediate(spin);
}
