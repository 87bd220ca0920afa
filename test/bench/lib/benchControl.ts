// A tiny HTTP server in the harness through which the bench inside VS Code
// reads and drives the sandbox. The sandbox lives here, not in the extension
// host, so that the host's heap and event loop measure the extension alone.
// POST /<action> with a JSON body; answers {ok, value} or {ok: false, error}.
import * as http from 'http';
import type { AddressInfo } from 'net';
import { parseFaultPlan, type Sandbox } from '../../../src/sandbox';

export interface BenchControl {
  url: string;
  close(): Promise<void>;
}

export async function startBenchControl(sandbox: Sandbox): Promise<BenchControl> {
  const actions: Record<string, (body: Record<string, unknown>) => unknown> = {
    stats: () => sandbox.stats(),
    resetStats: () => {
      sandbox.resetStats();
      return true;
    },
    createRun: (body) => {
      const flow = typeof body.flow === 'string' ? body.flow : '';
      const input = typeof body.input === 'object' && body.input !== null ? (body.input as Record<string, unknown>) : {};
      return sandbox.createRunDirect(flow, input);
    },
    getRun: (body) => sandbox.getRun(typeof body.id === 'string' ? body.id : '') ?? null,
    setFaults: (body) => {
      sandbox.setFaults(parseFaultPlan(body.plan));
      return true;
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const name = (req.url ?? '/').replace(/^\/+/, '').split('?')[0];
      let status = 200;
      let payload: unknown;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        const body: unknown = text ? JSON.parse(text) : {};
        const fn = actions[name];
        if (!fn) throw new Error(`unknown action ${name}`);
        payload = { ok: true, value: fn(typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}) };
      } catch (e) {
        status = 400;
        payload = { ok: false, error: e instanceof Error ? e.message : String(e) };
      }
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
