// The demo flows, shipped as JSON and imported (not read from disk) so they
// survive bundling into one file.
import type { Flow, FlowVersion } from '../api/models';
import fanout from './flows/flow_fanout.json';
import firehose from './flows/flow_firehose.json';
import flaky from './flows/flow_flaky.json';
import imagePipeline from './flows/flow_image_pipeline.json';
import slow from './flows/flow_slow.json';
import unpositioned from './flows/flow_unpositioned.json';

/** The shape of a flow JSON file: a Flow without its bookkeeping fields. */
export type FlowFile = Omit<Flow, 'created_at' | 'updated_at' | 'short_id'>;

const FILES: unknown[] = [imagePipeline, fanout, flaky, slow, firehose, unpositioned];

/** Fixed, so that demo flows look the same (and sort the same) across restarts. */
const DEMO_CREATED_AT = '2025-01-01T00:00:00.000000Z';

export function versionIdOf(flowId: string, n = 1): string {
  return `flowver_${flowId.replace(/^flow_/, '')}_v${n}`;
}

/** A flow from its file, and its single published version. */
export function materializeFlow(file: FlowFile, createdAt = DEMO_CREATED_AT): { flow: Flow; version: FlowVersion } {
  const versionId = file.published_version_id ?? versionIdOf(file.id);
  const flow: Flow = {
    short_id: file.id.replace(/^flow_/, '').slice(0, 8),
    user_id: 'user_sandbox',
    team_id: 'team_sandbox',
    visibility: 'private',
    ...structuredClone(file),
    created_at: createdAt,
    updated_at: createdAt,
    draft_version_id: versionId,
    published_version_id: versionId,
  };
  const version: FlowVersion = {
    id: versionId,
    flow_id: flow.id,
    nodes: structuredClone(flow.nodes),
    edges: structuredClone(flow.edges),
    node_data: structuredClone(flow.node_data),
    input_schema: structuredClone(flow.input_schema),
    output_schema: structuredClone(flow.output_schema),
  };
  return { flow, version };
}

export function demoFlows(): { flow: Flow; version: FlowVersion }[] {
  return FILES.map((f) => materializeFlow(f as FlowFile));
}

export const DEMO_FLOW_IDS = [
  'flow_image_pipeline', 'flow_fanout', 'flow_flaky', 'flow_slow', 'flow_firehose', 'flow_unpositioned',
] as const;
