/**
 * A local SMTP sink for benchmarks, in its own process: accepts every message (AUTH PLAIN/LOGIN with
 * any password, no TLS), counts them, and answers `count` requests from its parent over IPC.
 */
import { SMTPServer } from 'smtp-server';

let accepted = 0;
const server = new SMTPServer({
  secure: false,
  disabledCommands: ['STARTTLS'],
  allowInsecureAuth: true,
  authMethods: ['PLAIN', 'LOGIN'],
  logger: false,
  onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
  onData(stream, _session, callback) {
    stream.on('data', () => {});
    stream.on('end', () => {
      accepted++;
      callback();
    });
  },
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.server.address() as { port: number };
  process.send?.({ port });
});
process.on('message', (message) => {
  if (message === 'count') process.send?.({ count: accepted });
});
process.on('disconnect', () => process.exit(0));
