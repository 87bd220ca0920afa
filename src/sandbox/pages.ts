// Tiny HTML pages under /app, so "Open in Browser" on a sandbox run or flow
// shows something. Everything from the state is escaped.
import type { Flow, FlowRun } from '../api/models';
import { FLOW_RUN_STATUS_NAMES, flowDisplayName } from '../api/models';
import { escapeHtml } from '../shared/escapeHtml';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}pre{background:#f4f4f4;padding:1rem;overflow:auto}img{max-width:100%}td{padding:.2rem .8rem .2rem 0}</style>
</head><body>${body}<p><small>Flow Runs local sandbox</small></p></body></html>`;
}

function images(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string' && /\/_sandbox\/images\/[0-9a-f]{8}-\d+x\d+\.png$/.test(value)) out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => images(v, out));
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach((v) => images(v, out));
  return out;
}

export function runPage(run: FlowRun, flow: Flow | undefined): string {
  const name = flow ? flowDisplayName(flow) : run.flow_id;
  const rows = Object.entries(run.node_statuses ?? {})
    .map(([id, s]) => `<tr><td>${escapeHtml(id)}</td><td>${escapeHtml(String(s))}</td></tr>`).join('');
  const pics = images(run.output).map((src) => `<p><img src="${escapeHtml(src)}" alt="output image"></p>`).join('');
  return page(`${name} · ${run.id}`, `<h1>${escapeHtml(name)}</h1>
<p>Run <code>${escapeHtml(run.id)}</code> · <strong>${escapeHtml(FLOW_RUN_STATUS_NAMES[run.status] ?? 'Unknown')}</strong></p>
${run.error ? `<p>Error: ${escapeHtml(run.error)}</p>` : ''}
<table>${rows}</table>${pics}
<h2>Input</h2><pre>${escapeHtml(JSON.stringify(run.input, null, 2))}</pre>
<h2>Output</h2><pre>${escapeHtml(JSON.stringify(run.output ?? null, null, 2))}</pre>`);
}

export function flowPage(flow: Flow): string {
  return page(flowDisplayName(flow), `<h1>${escapeHtml(flowDisplayName(flow))}</h1>
<p><code>${escapeHtml(flow.id)}</code></p><p>${escapeHtml(flow.description ?? '')}</p>
<h2>Nodes</h2><ul>${flow.nodes.map((n) => `<li>${escapeHtml(n.id)}: ${escapeHtml(String(flow.node_data[n.id]?.title ?? n.type))}</li>`).join('')}</ul>
<h2>Input schema</h2><pre>${escapeHtml(JSON.stringify(flow.input_schema ?? null, null, 2))}</pre>`);
}

export function notFoundPage(what: string): string {
  return page('Not found', `<h1>Not found</h1><p>${escapeHtml(what)}</p>`);
}
