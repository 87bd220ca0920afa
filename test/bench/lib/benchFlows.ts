// Flow graphs of a given size for the stream and panel benches: the sandbox's
// own 12-node fan-out flow, or (any other size) layers of ten nodes, each wired
// to two nodes of the layer before, with positions like an editor would save.
import type { FlowVersion } from '../../../src/api/models';
import fanout from '../../../src/sandbox/flows/flow_fanout.json';

export const PER_LAYER = 10;

export function flowOfSize(n: number, versionId = `flowver_bench_${n}`): FlowVersion {
  if (n === fanout.nodes.length) {
    return {
      id: versionId,
      flow_id: fanout.id,
      nodes: structuredClone(fanout.nodes),
      edges: structuredClone(fanout.edges),
      node_data: structuredClone(fanout.node_data),
    };
  }
  const nodes: FlowVersion['nodes'] = [];
  const edges: FlowVersion['edges'] = [];
  const nodeData: FlowVersion['node_data'] = {};
  for (let i = 0; i < n; i++) {
    const layer = Math.floor(i / PER_LAYER);
    const id = `node_${i}`;
    nodes.push({ id, type: 'app', position: { x: layer * 260, y: (i % PER_LAYER) * 110 } });
    nodeData[id] = { app_id: 'sandbox/echo', app: { namespace: 'sandbox', name: 'echo', title: 'Echo' }, function: 'run', title: `Step ${i}` };
    if (layer > 0) {
      const prev = (layer - 1) * PER_LAYER;
      edges.push({ id: `e_${i}_a`, source: `node_${prev + (i % PER_LAYER)}`, target: id });
      edges.push({ id: `e_${i}_b`, source: `node_${prev + ((i + 3) % PER_LAYER)}`, target: id });
    }
  }
  return { id: versionId, flow_id: `flow_bench_${n}`, nodes, edges, node_data: nodeData };
}
