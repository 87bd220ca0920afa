// The client-bound stream bench's server in its own process:
// `node out/test/bench/streamServerWorker.js`. Prints one JSON line {url} once
// listening. In its own process it writes on one core while the readers (and
// process.cpuUsage) in the bench process measure the client alone.
import { startClientBoundServer } from './lib/clientBoundServer';

async function main(): Promise<void> {
  const server = await startClientBoundServer();
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The parent going away ends us too.
  process.stdin.on('end', stop);
  process.stdin.resume();
  console.log(JSON.stringify({ url: server.url }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
