// Security inside a real VS Code: the network rules (plain http only for
// loopback; a redirect to another host never gets the key), webview safety
// (server text that carries script never runs, the CSP is as required, links
// leave only through the extension and only for http(s)), and secrets (after
// runs and every error class, the key is nowhere but SecretStorage).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FlowRunStatus, type Flow } from '../../../src/api/models';
import type { RunFlowOutcome } from '../../../src/commands/runFlow';
import type { RunPanelManager } from '../../../src/views/panel/panelManager';
import type { RunPanel } from '../../../src/views/panel/runPanelHost';
import type { RunsTreeProvider } from '../../../src/views/runsTree';
import { useSandbox, waitFor, type TestSandbox } from '../util/sandbox';
import * as wb from '../util/workbench';

// Keys only this suite uses, so that a hit anywhere is ours.
const SECRET = 'inf_secsuite_full_3f9a2c7d1b';
const READ_ONLY = 'inf_secsuite_read_8e41d0a6c5';
const UNKNOWN = 'inf_secsuite_unknown_77b2e9f013';
const KEYS = [SECRET, READ_ONLY, UNKNOWN];

const PAYLOADS = {
  script: '<script>window.__pwned = 1</script>',
  onerror: '<img src=x onerror="window.__pwned = 2">',
  svg: '<svg onload="window.__pwned = 3"><script>window.__pwned = 4</script></svg>',
  jsUrl: 'javascript:window.__pwned = 5',
  anchor: '<a href="javascript:window.__pwned = 6">click me</a>',
};
const SVG_IMAGE = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned = 7"><script>window.__pwned = 8</script><rect width="10" height="10"/></svg>').toString('base64')}`;
const ALL_TEXT = Object.values(PAYLOADS).join(' ');

function xssFlow(pageUrl: string): Flow {
  const now = new Date().toISOString();
  return {
    id: 'flow_sec_xss',
    created_at: now,
    updated_at: now,
    name: 'xss',
    title: `${PAYLOADS.script} ${PAYLOADS.onerror} flow`,
    nodes: [{ id: 'say', type: 'app', position: { x: 0, y: 0 } }, { id: 'boom', type: 'app', position: { x: 0, y: 140 } }],
    // boom runs after say, so say has finished (with its output) when the run fails.
    edges: [{ id: 'e1', type: 'default', source: 'say', target: 'boom' }],
    node_data: {
      say: {
        app_id: 'sandbox/echo', function: 'run', title: PAYLOADS.svg,
        input: { text: ALL_TEXT, link: PAYLOADS.jsUrl, picture: SVG_IMAGE, page: pageUrl, html: PAYLOADS.anchor },
      },
      boom: {
        app_id: 'sandbox/random-failure', function: 'run', title: PAYLOADS.onerror,
        input: { probability: 1, reason: ALL_TEXT },
      },
    },
  };
}

interface Recorder {
  url: string;
  requests: { path: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

async function recorder(host: string, handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Recorder> {
  const requests: Recorder['requests'] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => handler(req, res));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Every file under `dir` (bounded), for the settings and log searches. */
function filesUnder(dir: string, match: (file: string) => boolean, out: string[] = [], depth = 0): string[] {
  if (depth > 8 || out.length > 2000 || !fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(p, match, out, depth + 1);
    else if (match(p)) out.push(p);
  }
  return out;
}

/** The temp folder the test host made for this VS Code (user data, server data, logs). */
function hostDataDir(from: string): string {
  let dir = from;
  for (let i = 0; i < 12; i++) {
    if (path.basename(dir).startsWith('flow-runs-vscode-')) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.resolve(from, '..', '..', '..');
}

function hits(text: string): string[] {
  return KEYS.filter((k) => text.includes(k));
}


suite('Security', function () {
  this.timeout(120_000);
  let t: TestSandbox;
  let manager: RunPanelManager;
  let tree: RunsTreeProvider;
  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('flowRuns');
  /** Every sentence an error showed in this suite (command outcomes, notifications, panel errors). */
  const errorTexts: string[] = [];
  /** Every message exchanged with a webview in this suite (panels are disposed as we go). */
  const webviewMessages: unknown[] = [];

  function keepMessages(panel: RunPanel | undefined): void {
    if (panel) webviewMessages.push(...panel.posted, ...panel.received);
  }

  async function pointAt(url: string): Promise<void> {
    await config().update('apiUrl', url, vscode.ConfigurationTarget.Global);
    await waitFor(() => t.services.session.baseUrl === url || t.services.session.baseUrlProblem !== undefined, `the session to follow ${url}`);
  }

  suiteSetup(async () => {
    t = await useSandbox({ speed: 0.05, keys: [{ key: SECRET, scopes: [] }, { key: READ_ONLY, scopes: ['flows:read'] }], key: SECRET });
    manager = t.ext.runPanels;
    tree = t.ext.runsTree;
    t.sandbox.addFlow(xssFlow(`${t.sandbox.url}/app/flows/flow_sec_xss`));
    await config().update('confirmCancel', false, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  suiteTeardown(async () => {
    for (const p of manager?.list() ?? []) keepMessages(p);
    manager?.closeAll();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await config().update('confirmCancel', undefined, vscode.ConfigurationTarget.Global);
    await t?.dispose();
  });

  // ------------------------------------------------------------------ network rules
  test('a non-loopback http base URL is refused with a clear message, and nothing is sent', async () => {
    const sandboxUrl = t.sandbox.url;
    await config().update('apiUrl', 'http://example.com', vscode.ConfigurationTarget.Global);
    try {
      const problem = await waitFor(() => t.services.session.baseUrlProblem, 'the session to refuse the URL');
      assert.match(problem, /Plain http is refused for example\.com .*https:\/\//);
      assert.equal(t.services.session.current(), undefined, 'no client exists for a refused URL');
      await assert.rejects(t.services.session.requireApi(), (e: unknown) => (e as { kind?: string }).kind === 'insecure_url');
      await waitFor(() => tree.state === 'unreachable', 'the Runs view to say it cannot connect');
      const view = t.ext.runsTreeView;
      assert.equal(view.message, problem, 'the view says why');
      // And what to do, as items under the message (VS Code hides welcome content while a view has a message):
      // no Retry, which cannot help with a URL we refuse.
      const roots = (await tree.getChildren()).map((n) => tree.getTreeItem(n));
      assert.deepEqual(roots.map((i) => i.label), ['Open Settings (flowRuns.apiUrl)', 'Show Log']);
      assert.deepEqual(roots[0]?.command?.arguments, ['flowRuns.apiUrl']);
      if (wb.canDriveWorkbench()) {
        await vscode.commands.executeCommand('flowRuns.runs.focus');
        await wb.waitForText('Open Settings (flowRuns.apiUrl)', { timeoutMs: 15000 });
        await wb.screenshot('explorer-unreachable');
      }
      const stored = await vscode.commands.executeCommand<boolean>('flowRuns.setApiKey', SECRET);
      assert.equal(stored, false, 'no key is stored for a refused URL');
      errorTexts.push(problem, ...(await wb.notificationTexts()));
      // Nothing can be sent: without a client there is no request to make (the transport refuses too: unit tests).
    } finally {
      await pointAt(sandboxUrl);
      await waitFor(() => t.services.session.hasKey, 'the key for the sandbox to be back');
    }
  });

  test('a redirect to another host (127.0.0.1 -> 127.0.0.2) never carries the Authorization header', async () => {
    const other = await recorder('127.0.0.2', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"items": [], "has_next": false}');
    });
    const redirector = await recorder('127.0.0.1', (req, res) => {
      res.writeHead(307, { Location: `${other.url}${req.url ?? '/'}` });
      res.end();
    });
    const sandboxUrl = t.sandbox.url;
    try {
      await pointAt(redirector.url);
      const stored = await vscode.commands.executeCommand<boolean>('flowRuns.setApiKey', SECRET);
      assert.equal(stored, false, 'the key check failed, so the key was not stored');
      assert.equal(await t.services.context.secrets.get(`flowRuns.apiKey:${redirector.url}`), undefined, 'nothing is stored for the redirecting URL');
      const keyless = await waitFor(() => !t.services.session.hasKey, 'the session to hold no key for the redirecting URL', 5_000).catch(() => false);
      if (!keyless) {
        const sessionLines = fs.readFileSync(logFile(), 'utf8').split('\n').filter((l) => l.includes('[session]')).slice(-6);
        assert.fail(`the session holds a key for ${redirector.url}, where none is stored (its client would send it there): ${sessionLines.join(' / ')}`);
      }
      assert.ok(redirector.requests.length >= 1, 'the configured host was asked');
      assert.deepEqual(other.requests, [], 'the other host got no request at all, so no key');
      const texts = await wb.notificationTexts();
      errorTexts.push(...texts);
      if (wb.canDriveWorkbench()) assert.ok(texts.some((n) => /another host \(127\.0\.0\.2/.test(n)), `the user is told why: ${texts.join(' | ')}`);
    } finally {
      await pointAt(sandboxUrl);
      await waitFor(() => t.services.session.hasKey, 'the key for the sandbox to be back');
      await vscode.commands.executeCommand('notifications.clearAll');
      await redirector.close();
      await other.close();
    }
  });

  // ------------------------------------------------------------------ webview safety
  test('script in titles, outputs, logs and errors never runs, and shows as text', async () => {
    const outcome = await vscode.commands.executeCommand<RunFlowOutcome>('flowRuns.runFlow', { flow: 'flow_sec_xss', input: {} });
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.message);
    const runId = outcome.run.id;
    await waitFor(() => t.sandbox.getRun(runId)?.status === FlowRunStatus.Failed, 'the run to fail', 30_000);
    const panel = await waitFor(() => manager.get(runId), 'the panel Run Flow opened');
    await waitFor(() => panel.connectionState === 'ended', 'the follower to end');
    if (!wb.canDriveWorkbench()) return;
    const pwned = (): Promise<unknown> => wb.frameEvaluate('() => window.__pwned === undefined ? null : window.__pwned');
    await waitFor(async () => (await wb.frameText('.badge-text')) === 'Failed', 'the panel to show Failed');
    // The failed node is selected: its error and logs show.
    const failedView = (await wb.frameEvaluate(`() => ({
      title: document.querySelector('.flow-title')?.textContent || '',
      runError: document.querySelector('.run-error')?.textContent || '',
      taskError: document.querySelector('.task-error')?.textContent || '',
      logs: document.querySelector('pre.logs')?.textContent || '',
    })`)) as Record<string, string>;
    assert.equal(failedView.title, `${PAYLOADS.script} ${PAYLOADS.onerror} flow`, 'the title shows literally');
    assert.ok(failedView.runError.includes(PAYLOADS.script) && failedView.runError.includes(PAYLOADS.svg), `the run error shows literally: ${failedView.runError}`);
    assert.ok(failedView.taskError.includes(PAYLOADS.onerror), 'the task error shows literally');
    await waitFor(async () => ((await wb.frameEvaluate(`document.querySelector('pre.logs')?.textContent || ''`)) as string).includes(PAYLOADS.script),
      'the failing task\'s log to show the payload as text');
    // The echo node: its output carries every payload, a javascript: URL and an SVG image with script.
    await wb.click('.node[data-node-id="say"]');
    let lastSay: unknown;
    const sayView = await waitFor(async () => {
      const v = (await wb.frameEvaluate(`() => ({
        output: document.querySelector('.task-output')?.textContent || '',
        heading: document.querySelector('.details-section h2')?.textContent || '',
        links: [...document.querySelectorAll('.link')].map((l) => l.textContent),
        images: [...document.querySelectorAll('img')].map((i) => i.getAttribute('src') || ''),
      })`)) as { output: string; heading: string; links: string[]; images: string[] };
      lastSay = v;
      return v.output.includes('javascript:') ? v : undefined;
    }, 'the echo output to show', undefined, () => `the panel shows ${JSON.stringify(lastSay).slice(0, 600)}`);
    assert.ok(sayView.output.includes(PAYLOADS.jsUrl), 'the javascript: URL is shown as text');
    assert.ok(sayView.heading.includes(PAYLOADS.svg), 'the node title shows literally');
    assert.ok(!sayView.links.some((l) => l?.startsWith('javascript:')), 'a javascript: URL is never made a link');
    await wb.screenshot('security-xss-panel');
    await new Promise((r) => setTimeout(r, 500));
    const dom = (await wb.frameEvaluate(`() => ({
      scripts: [...document.scripts].map((s) => ({ src: s.getAttribute('src') || '', nonce: !!s.nonce, inline: s.textContent.length,
        vscode: !s.getAttribute('src') && s.textContent.includes('acquireVsCodeApi') && !s.textContent.includes('pwned') })),
      handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => e.tagName + ' ' + a.name)),
      jsHrefs: [...document.querySelectorAll('[href], [src], [xlink\\\\:href]')].map((e) => e.getAttribute('href') || e.getAttribute('src') || '').filter((v) => /^\\s*javascript:/i.test(v)),
      svgInBody: document.querySelectorAll('foreignObject, iframe, object, embed').length,
      csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') || '',
      cspSource: location.origin,
    })`)) as { scripts: { src: string; nonce: boolean; inline: number; vscode: boolean }[]; handlers: string[]; jsHrefs: string[]; svgInBody: number; csp: string; cspSource: string };
    assert.equal(await pwned(), null, 'no injected script ran');
    // Ours (by nonce, from dist/) and the one VS Code itself puts in every webview (acquireVsCodeApi).
    const ours = dom.scripts.filter((sc) => sc.nonce && sc.src.endsWith('/dist/webview.js') && sc.inline === 0);
    const others = dom.scripts.filter((sc) => !ours.includes(sc) && !sc.vscode);
    assert.equal(ours.length, 1, `the panel's own script: ${JSON.stringify(dom.scripts)}`);
    assert.deepEqual(others, [], 'no other script element exists');
    assert.deepEqual(dom.handlers, [], 'no element carries an event-handler attribute');
    assert.deepEqual(dom.jsHrefs, [], 'no javascript: URL in any href or src');
    assert.equal(dom.svgInBody, 0);

    // The CSP, directive by directive.
    const csp = new Map(dom.csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name, values]));
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    assert.deepEqual(csp.get('connect-src'), ["'none'"]);
    const scriptSrc = csp.get('script-src') ?? [];
    assert.equal(scriptSrc.length, 1, `scripts by nonce only: ${scriptSrc.join(' ')}`);
    assert.match(scriptSrc[0], /^'nonce-[A-Za-z0-9+/=]{16,}'$/);
    const img = csp.get('img-src') ?? [];
    const cspSource = panel.webviewPanel.webview.cspSource.split(/\s+/);
    assert.deepEqual([...img].sort(), [...cspSource, 'https:', 'data:'].sort(), `img-src is the webview's own source, https: and data: only: ${img.join(' ')}`);
    for (const [name, values] of csp) assert.ok(!values.some((v) => /unsafe-(inline|eval)/.test(v)), `${name} allows nothing unsafe`);

    // Links: a stray <a> is handed to the host, which opens http(s) only, through openExternal.
    const before = panel.received.length;
    await wb.frameEvaluate(`() => {
      for (const href of ['javascript:window.__pwned = 9', 'file:///etc/passwd', 'command:workbench.action.quit', 'vscode://flow-runs.flow-runs/x']) {
        const a = document.createElement('a');
        a.setAttribute('href', href);
        a.textContent = 'stray';
        document.body.appendChild(a);
        a.click();
        a.remove();
      }
      return true;
    }`);
    const links = await waitFor(() => {
      const got = panel.received.slice(before).filter((m) => m.type === 'openLink');
      return got.length === 4 ? got : undefined;
    }, 'the webview to hand every link to the host');
    assert.equal(links.length, 4);
    assert.equal(await pwned(), null, 'the javascript: link did not run');
    assert.ok((await wb.frameEvaluate('location.href')) !== 'about:blank', 'the webview did not navigate');
    // Only an http(s) address leaves; the page link of the output (loopback http) is one.
    const page = `${t.sandbox.url}/app/flows/flow_sec_xss`;
    await wb.clickText(page);
    await waitFor(() => panel.received.some((m) => m.type === 'openLink' && m.url === page), 'the page link to be handed to the host');
    keepMessages(panel);
  });

  test('links are refused by the host unless http(s); refusals are logged without opening anything', async () => {
    const log = logFile();
    // The channel writes its file a little after each line.
    const text = await waitFor(() => {
      const now = fs.readFileSync(log, 'utf8');
      return now.includes('refused to open a vscode: link') ? now : undefined;
    }, 'the refusals in the log', 10_000).catch(() => fs.readFileSync(log, 'utf8'));
    for (const scheme of ['javascript:', 'file:', 'command:', 'vscode:']) {
      assert.ok(text.includes(`refused to open a ${scheme} link`), `a ${scheme} link was refused (log ${log}, ${text.length} chars: ${text.split('\n').filter((l) => /panel|refused/.test(l)).slice(-5).join(' / ')})`);
    }
  });

  // ------------------------------------------------------------------ secrets
  test('after runs and every error class, the key is nowhere but SecretStorage', async () => {
    const run = (arg: unknown): Thenable<RunFlowOutcome> => vscode.commands.executeCommand<RunFlowOutcome>('flowRuns.runFlow', arg);
    const say = (o: RunFlowOutcome): void => {
      if (!o.ok) errorTexts.push(o.message);
    };
    // Runs that work, with their panels.
    const ok = await run({ flow: 'flow_image_pipeline', input: { prompt: 'secrets stay secret' } });
    assert.ok(ok.ok);
    await waitFor(() => manager.get(ok.run.id)?.connectionState === 'ended', 'the run to finish in its panel', 30_000);

    // 401: a key the server does not know is refused and never stored.
    assert.equal(await vscode.commands.executeCommand<boolean>('flowRuns.setApiKey', UNKNOWN), false);
    // 403: a read-only key cannot start a run.
    assert.equal(await vscode.commands.executeCommand<boolean>('flowRuns.setApiKey', READ_ONLY), true);
    const forbidden = await run({ flow: 'flow_image_pipeline', input: { prompt: 'x' } });
    assert.ok(!forbidden.ok && /flows:execute/.test(forbidden.message), 'a 403 names the scope');
    say(forbidden);
    assert.equal(await vscode.commands.executeCommand<boolean>('flowRuns.setApiKey', SECRET), true);
    // 404: a run that does not exist, in a panel.
    await vscode.commands.executeCommand('flowRuns.openRun', 'flowrun_not_there');
    const missing = await waitFor(() => manager.get('flowrun_not_there'), 'the panel');
    await waitFor(() => missing.connectionState === 'failed', 'the 404 to fail the panel');
    const errorsPosted = (): string[] => missing.posted.map((m) => (m.type === 'connection' || m.type === 'snapshot' ? m.connection.error : null)).filter((e): e is string => !!e);
    const failedMsg = await waitFor(() => (missing.isReady && errorsPosted().length ? errorsPosted() : undefined), 'the panel to be told why', 10_000)
      .catch(() => errorsPosted());
    assert.ok(failedMsg.some((m) => /not found/.test(m)), `the panel says the run is not found: ${JSON.stringify(failedMsg)} ${JSON.stringify(missing.posted.map((m) => m.type))}`);
    errorTexts.push(...failedMsg);
    // 429 and 500 on create (a create is never retried on 500; a 429 is retried, then given up).
    t.sandbox.setFaults({ seed: 2, routes: ['POST /flowruns'], rate429: 1, retryAfterSeconds: 0 });
    const limited = await run({ flow: 'flow_image_pipeline', input: { prompt: 'x' } });
    assert.ok(!limited.ok && /rate limit/i.test(limited.message), `429: ${limited.ok ? '' : limited.message}`);
    say(limited);
    t.sandbox.setFaults({ seed: 2, routes: ['POST /flowruns'], rate500: 1 });
    const broken = await run({ flow: 'flow_image_pipeline', input: { prompt: 'x' } });
    assert.ok(!broken.ok && /internal error/.test(broken.message), `500: ${broken.ok ? '' : broken.message}`);
    say(broken);
    t.sandbox.setFaults(undefined);
    // Network: the server goes away.
    const secretName = `flowRuns.apiKey:${t.services.session.baseUrl}`;
    const url = t.sandbox.url;
    for (const p of manager.list()) keepMessages(p);
    await t.sandbox.close();
    const offline = await run({ flow: 'flow_image_pipeline', input: { prompt: 'x' } });
    assert.ok(!offline.ok && /Could not reach/.test(offline.message), `network: ${offline.ok ? '' : offline.message}`);
    say(offline);
    await vscode.commands.executeCommand('flowRuns.refresh');
    errorTexts.push(...(await wb.notificationTexts()));
    assert.ok(errorTexts.length >= 6, `error texts were collected: ${errorTexts.length}`);
    for (const p of manager.list()) keepMessages(p);

    // 1. The key is in SecretStorage, under the base URL.
    assert.equal(await t.services.context.secrets.get(secretName), SECRET);
    // 2. Not in globalState / workspaceState.
    for (const [name, memento] of [['globalState', t.services.context.globalState], ['workspaceState', t.services.context.workspaceState]] as const) {
      const dump = JSON.stringify(memento.keys().map((k) => [k, memento.get(k)]));
      assert.deepEqual(hits(dump), [], `${name} holds no key`);
    }
    // 3. Not in any settings file (user, machine, workspace) of this VS Code.
    const dataDir = hostDataDir(t.services.context.logUri.fsPath);
    const settings = filesUnder(dataDir, (f) => path.basename(f) === 'settings.json');
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const f = path.join(folder.uri.fsPath, '.vscode', 'settings.json');
      if (fs.existsSync(f)) settings.push(f);
    }
    assert.ok(settings.some((f) => fs.readFileSync(f, 'utf8').includes(url)), `the user settings file (with flowRuns.apiUrl) was found among ${settings.join(', ')}`);
    for (const f of settings) assert.deepEqual(hits(fs.readFileSync(f, 'utf8')), [], `${f} holds no key`);
    // 4. Not in the Flow Runs log.
    const log = logFile();
    const logText = await waitFor(() => {
      const now = fs.readFileSync(log, 'utf8');
      return /POST \/flowruns 403/.test(now) ? now : undefined;
    }, 'the requests in the log', 10_000).catch(() => fs.readFileSync(log, 'utf8'));
    const levels = [...logText.matchAll(/\[(\w+)\]/g)].reduce<Record<string, number>>((a, m) => ({ ...a, [m[1]]: (a[m[1]] ?? 0) + 1 }), {});
    assert.ok(/POST \/flowruns 20\d /.test(logText) && /POST \/flowruns 403/.test(logText),
      `the log has the requests (${log}, ${logText.length} chars, ${JSON.stringify(levels)}: ${logText.split('\n').filter((l) => /flowruns/.test(l)).slice(-6).join(' / ')})`);
    assert.deepEqual(hits(logText), [], 'the output channel holds no key');
    // 5. Not in any webview message, nor in any error text.
    assert.ok(webviewMessages.length > 10, 'webview messages were recorded');
    assert.deepEqual(hits(JSON.stringify(webviewMessages)), [], 'no webview message holds a key');
    assert.deepEqual(hits(errorTexts.join('\n')), [], `no error text holds a key: ${errorTexts.join(' | ').slice(0, 500)}`);
  });

  /** The Flow Runs LogOutputChannel's file: <context.logUri>/Flow Runs.log (found by content if VS Code moved it). */
  function logFile(): string {
    const dir = t.services.context.logUri.fsPath;
    const direct = path.join(dir, 'Flow Runs.log');
    if (fs.existsSync(direct)) return direct;
    const root = hostDataDir(dir);
    const found = filesUnder(root, (f) => f.endsWith('.log') && fs.readFileSync(f, 'utf8').includes('[activate] ready'));
    assert.ok(found.length > 0, `the Flow Runs log file under ${root}`);
    return found[0];
  }
});
