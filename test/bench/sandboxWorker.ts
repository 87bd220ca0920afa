// A sandbox in its own process for the benchmark: `node out/test/bench/sandboxWorker.js '<options JSON>'`.
// Prints one JSON line {url, key, control} once listening; the harness drives
// it through the control server (stats, direct run creation, faults, getRun).
// In its own process the server writes as fast as it can on one core while the
// clients read on the other, as a remote server would.
import { startSandbox, type SandboxOptions } from '../../src/sandbox';
import { startBenchControl } from './lib/benchControl';

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as SandboxOptions;
  const sandbox = await startSandbox({ ...opts, port: 0 });
  const control = await startBenchControl(sandbox);
  const stop = (): void => {
    void Promise.allSettled([control.close(), sandbox.close()]).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The parent going away ends us too.
  process.stdin.on('end', stop);
  process.stdin.resume();
  console.log(JSON.stringify({ url: sandbox.url, key: sandbox.defaultKey, control: control.url }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
