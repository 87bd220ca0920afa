// `node dist/sandbox.js [--port 8787] [--host 127.0.0.1] [--speed 1] [--data DIR]
//   [--seed N] [--seed-runs N] [--keys keys.json] [--rate-limit N|published]
//   [--create-rate-limit N] [--profile seed|varied] [--keep-alive MS]`
// Starts the local sandbox, prints its address and default key, logs each
// request, and stops cleanly on SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import type { Logger } from '../api/logger';
import { parseKeys, startSandbox, type SandboxOptions } from './index';
import { PROFILES, type SandboxProfile } from './variation';

/** The published limits (wire spec section 2): 1000 reads and 100 run creations a minute. */
const PUBLISHED_LIMITS = { reads: 1000, creates: 100 } as const;

const USAGE = `Usage: node dist/sandbox.js [options]
  --port N         port to listen on (default 8787; 0 = random)
  --host H         host to bind (default 127.0.0.1)
  --speed X        step-duration multiplier: 1 = demo pace, 0.01 = fast, 0 = instant (default 1)
  --data DIR       persist runs and flows in DIR
  --seed N         seed for simulated randomness and varied answers (default 1)
  --seed-runs N    create N historical finished runs at start
  --profile P      seed (default): answers shaped as the seed page's examples;
                   varied: each answer picks, from --seed, among every form the API may send
  --keys FILE      JSON file of API keys: [{"key": "inf_…", "scopes": ["flows:read"]}]
  --rate-limit N   answer 429 past N requests a minute per key (run creations count
                   here unless --create-rate-limit is given); "published" = 1000 reads
                   and 100 run creations a minute, each with its own budget
  --create-rate-limit N
                   answer 429 past N run creations a minute per key (own budget)
  --keep-alive MS  stream keep-alive interval (default 15000)
  --quiet          do not log requests`;

function fail(message: string): never {
  console.error(`sandbox: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv: string[]): { opts: SandboxOptions; quiet: boolean } {
  const opts: SandboxOptions = { port: 8787 };
  let quiet = false;
  const num = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || v === '' || !Number.isFinite(n) || n < 0) fail(`${name} needs a non-negative number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--port': opts.port = num(flag, value()); break;
      case '--host': opts.host = value() ?? fail('--host needs a value'); break;
      case '--speed': opts.speed = num(flag, value()); break;
      case '--data': opts.dataDir = value() ?? fail('--data needs a directory'); break;
      case '--seed': opts.seed = num(flag, value()); break;
      case '--seed-runs': opts.seedRuns = num(flag, value()); break;
      case '--rate-limit': {
        const v = value();
        if (v === 'published') {
          opts.rateLimitPerMinute = PUBLISHED_LIMITS.reads;
          opts.createRateLimitPerMinute ??= PUBLISHED_LIMITS.creates;
        } else opts.rateLimitPerMinute = num(flag, v);
        break;
      }
      case '--create-rate-limit': opts.createRateLimitPerMinute = num(flag, value()); break;
      case '--profile': {
        const v = value();
        if (!PROFILES.includes(v as SandboxProfile)) fail(`--profile must be ${PROFILES.join(' or ')}`);
        opts.profile = v as SandboxProfile;
        break;
      }
      case '--keep-alive': opts.keepAliveMs = num(flag, value()); break;
      case '--keys': {
        const file = value() ?? fail('--keys needs a file');
        try {
          opts.keys = parseKeys(JSON.parse(readFileSync(file, 'utf8')));
        } catch (e) {
          fail(`cannot read keys from ${file}: ${e instanceof Error ? e.message : String(e)}`);
        }
        break;
      }
      case '--quiet': quiet = true; break;
      case '--help': case '-h': console.log(USAGE); process.exit(0); break;
      default: fail(`unknown option ${arg}`);
    }
  }
  return { opts, quiet };
}

async function main(): Promise<void> {
  const { opts, quiet } = parseArgs(process.argv.slice(2));
  const stamp = (): string => new Date().toISOString().slice(11, 23);
  const logger: Logger = {
    trace: () => undefined,
    // Request lines (method path status ms) come at debug level.
    debug: (m) => {
      if (!quiet) console.log(`${stamp()} ${m}`);
    },
    info: (m) => console.log(`${stamp()} ${m}`),
    warn: (m) => console.warn(`${stamp()} ${m}`),
    error: (m) => console.error(`${stamp()} ${m}`),
  };
  const sandbox = await startSandbox({ ...opts, logger });
  const keys = opts.keys ?? [];
  const defaultKey = keys.length ? keys[0].key : sandbox.defaultKey;
  console.log(`Flow Runs sandbox listening on ${sandbox.url}${sandbox.profile === 'varied' ? ` (profile varied, seed ${opts.seed ?? 1})` : ''}`);
  console.log(`API key: ${defaultKey}`);
  console.log(`Try: curl -X POST ${sandbox.url}/flowruns -H "Authorization: Bearer ${defaultKey}" -H "Content-Type: application/json" -H "X-API-Version: 2" -d '{"flow":"flow_image_pipeline","input":{"prompt":"A mountain landscape"}}'`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    sandbox.close().then(() => process.exit(0), (e: unknown) => {
      console.error(e);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

// The same bundle is the library the extension loads on "Start Local Sandbox":
// run the CLI only when executed, export the API when required.
export { startSandbox, SANDBOX_KEYS } from './index';

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(`sandbox: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
