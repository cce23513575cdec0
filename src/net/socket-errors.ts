// Readable sentences for the errors Node reports on a socket.

export function describeSocketError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED': return 'connection refused: nothing listens at that host and port';
    case 'ECONNRESET': return 'the peer reset the connection';
    case 'ETIMEDOUT': return 'the connection timed out';
    case 'EHOSTUNREACH': return 'the host is unreachable';
    case 'ENOTFOUND': return 'the host name could not be resolved';
    case 'EPIPE': return 'the peer closed the connection while we were sending';
    default: return `network error: ${err.message}`;
  }
}
