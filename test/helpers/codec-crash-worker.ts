// A codec worker for tests: exits (code 7) on a task whose data starts with "CRSH", otherwise
// serves like the real one.
import { serveCodecRequests, handleCodecRequest } from '../../src/dicom/codecs/codec-worker';
import { TaskRequest } from '../../src/dicom/codecs/worker-protocol';

serveCodecRequests(async (req: TaskRequest) => {
  const bytes = req.task.op === 'encode' ? req.task.samples : req.task.data;
  if (Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(4, bytes.byteLength)).toString('latin1') === 'CRSH') process.exit(7);
  return handleCodecRequest(req);
});
