// dicomnet whose stdout's or stderr's reader has gone (`dicomnet find | head`): it stops at once
// and silently with 141, as a native tool killed by SIGPIPE does, instead of Node's uncaught EPIPE
// error and stack trace. Checked on the built dist/cli.js: the full tool (main.ts) and a command's
// own bundle (echo) take separate paths to the same exit.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { DicomServer } from '../../../src/ae/server';
import { EXIT_OUTPUT_CLOSED } from '../../../src/cli/errors';
import { CLI } from '../../helpers/processes';
import { within } from '../../helpers/wait';

/**
 * Runs dicomnet with the read end of its stdout's (or stderr's) pipe closed before the process
 * starts writing (the pipe's only reader is ours; the child's copy closes on exec), so its first
 * write there fails with EPIPE. Returns the exit code and what the other stream said.
 */
async function runWithClosedOutput(args: string[], closed: 'stdout' | 'stderr' = 'stdout'): Promise<{ code: number | null; said: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const [gone, open] = closed === 'stdout' ? [child.stdout, child.stderr] : [child.stderr, child.stdout];
  gone.destroy();
  let said = '';
  open.on('data', (d) => { said += d; });
  const code = await within(`dicomnet ${args.join(' ')} to exit with its ${closed} closed`,
    new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c))), 30_000);
  return { code, said };
}

describe('dicomnet with its output closed', () => {
  let server: DicomServer;
  before(async () => {
    server = new DicomServer({ aeTitle: 'SERVER', port: 0 });
    await server.listen();
  });
  after(async () => {
    await server.close(100);
  });

  it('a command with a bundle of its own (echo) exits 141 without a word once it has echoed', async () => {
    const { code, said } = await runWithClosedOutput(['echo', '127.0.0.1', String(server.port), '--aec', 'SERVER']);
    assert.equal(code, EXIT_OUTPUT_CLOSED, `exit code ${code}; stderr: ${said}`);
    assert.equal(said, '');
  });

  it('the full tool (dicomnet --version) exits 141 without a word', async () => {
    const { code, said } = await runWithClosedOutput(['--version']);
    assert.equal(code, EXIT_OUTPUT_CLOSED, `exit code ${code}; stderr: ${said}`);
    assert.equal(said, '');
  });

  it('with stderr closed, a usage error (nothing on stdout) exits 141 too', async () => {
    const { code, said } = await runWithClosedOutput(['echo', '--no-such-option'], 'stderr');
    assert.equal(code, EXIT_OUTPUT_CLOSED, `exit code ${code}; stdout: ${said}`);
    assert.equal(said, '');
  });
});
