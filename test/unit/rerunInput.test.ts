// Run Again / Run It Now (issue 14.6): a run's stored `input` may be per-node
// values (the official SDK's type), not the flow's input. What this window
// sent is resent when held (bounded); otherwise the stored input is sent only
// when it fits the flow's schema, and is never sent in per-node form. The
// per-node runs come from the sandbox over real HTTP, so the client's test is
// the form the varied profile really serves.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FlowRun } from '../../src/api/models';
import { draftFromPerNode, isPerNodeInput, judgeStoredInput, reviewFileText } from '../../src/input/rerunInput';
import { parseInput } from '../../src/input/parseInput';
import { SentInputs } from '../../src/runs/sentInputs';
import { startSandbox, type Sandbox } from '../../src/sandbox';
import { call } from './sandboxHelpers';

describe('a run\'s stored input, judged before it is sent again', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ port: 0, speed: 0.01 });
  });
  after(() => sb.close());

  async function schemaOf(flowId: string): Promise<unknown> {
    const answer = await call(sb, 'GET', `/flows/${flowId}`);
    assert.equal(answer.status, 200);
    return (answer.data as { input_schema?: unknown }).input_schema;
  }

  async function storedInput(flowId: string, input: Record<string, unknown>, form: 'as-sent' | 'per-node'): Promise<unknown> {
    const { id } = sb.createRunDirect(flowId, input, { storedInput: form });
    const answer = await call(sb, 'GET', `/flowruns/${id}`);
    assert.equal(answer.status, 200);
    return (answer.data as FlowRun).input;
  }

  test('per-node input is never sent, even where the schema would let it pass (no required fields)', async () => {
    const schema = await schemaOf('flow_unpositioned');
    const stored = await storedInput('flow_unpositioned', { text: 'again' }, 'per-node');
    assert.ok(isPerNodeInput(stored), JSON.stringify(stored));
    const verdict = await judgeStoredInput(stored, schema);
    assert.equal(verdict.fits, false);
    if (verdict.fits) return;
    assert.match(verdict.reason, /per node/);
    // The draft recovers what it can: the field that a node received as a plain value.
    assert.deepEqual(verdict.draft, { text: 'again' });
  });

  test('a required field that reached the nodes only through a template is left for the user, never guessed', async () => {
    const schema = await schemaOf('flow_image_pipeline');
    const stored = await storedInput('flow_image_pipeline', { prompt: 'a lighthouse', style: 'oil' }, 'per-node');
    const verdict = await judgeStoredInput(stored, schema);
    assert.equal(verdict.fits, false);
    if (verdict.fits) return;
    assert.equal(verdict.draft.style, 'oil');
    // `prompt` reaches the nodes only through {{nodes.enhance.text}}, so it is not guessed from another field.
    assert.equal(Object.prototype.hasOwnProperty.call(verdict.draft, 'prompt'), false, JSON.stringify(verdict.draft));
  });

  test('stored input as sent fits and is sent unchanged', async () => {
    const schema = await schemaOf('flow_image_pipeline');
    const stored = await storedInput('flow_image_pipeline', { prompt: 'a lighthouse', style: 'oil' }, 'as-sent');
    assert.equal(isPerNodeInput(stored), false);
    assert.deepEqual(await judgeStoredInput(stored, schema), { fits: true, input: { prompt: 'a lighthouse', style: 'oil' } });
  });

  test('input that breaks the schema, or shares no field with it, goes to review with the schema\'s words', async () => {
    const schema = await schemaOf('flow_image_pipeline');
    const wrong = await judgeStoredInput({ prompt: '', style: 'crayon' }, schema);
    assert.equal(wrong.fits, false);
    if (!wrong.fits) {
      assert.match(wrong.reason, /does not match the flow's input schema: .*prompt/);
      assert.deepEqual(wrong.draft, { prompt: '', style: 'crayon' }, 'the draft keeps what the run held');
    }
    const foreign = await judgeStoredInput({ enhance: { text: 'x' } }, schema);
    assert.equal(foreign.fits, false);
    assert.equal((await judgeStoredInput(undefined, schema)).fits, false);
    assert.equal((await judgeStoredInput([1, 2], schema)).fits, false);
  });

  test('with no schema to judge by, a plain object is sent (the server judges) but per-node values are not', async () => {
    assert.deepEqual(await judgeStoredInput({ a: 1 }, undefined), { fits: true, input: { a: 1 } });
    assert.deepEqual(await judgeStoredInput({ a: 1 }, {}), { fits: true, input: { a: 1 } });
    assert.equal((await judgeStoredInput({ n1: { a: { Value: 1 } } }, undefined)).fits, false);
  });

  test('the shape test: per-node needs every cell to be a {Value} record, and at least one', () => {
    assert.equal(isPerNodeInput({ n1: { a: { Value: null, Connection: { nodeId: 'n0' } } } }), true);
    assert.equal(isPerNodeInput({ n1: { a: { Value: 1 } }, n2: { b: 2 } }), false);
    assert.equal(isPerNodeInput({ prompt: 'x' }), false);
    assert.equal(isPerNodeInput({ n1: {} }), false);
    assert.equal(isPerNodeInput({}), false);
    // Connected values and unresolved templates are skipped.
    assert.deepEqual(draftFromPerNode({
      n1: { a: { Value: null, Connection: { nodeId: 'n0' } }, b: { Value: '{{input.b}}' } },
      n2: { a: { Value: 7 }, b: { Value: 'bee' } },
    }, { properties: { a: {}, b: {}, c: {} } }), { a: 7, b: 'bee' });
  });

  test('the review file is a {flow, input} request the input parser reads back, comments included', () => {
    const text = reviewFileText('flow_x', { text: 'hi' }, ['Run Again: nothing was sent,\nbecause reasons.', 'Check it.', `${'word '.repeat(40)}end`]);
    const comments = text.split('\n').filter((l) => l.startsWith('//'));
    assert.deepEqual(comments.slice(0, 2), ['// Run Again: nothing was sent, because reasons.', '// Check it.'], 'breaks folded');
    assert.ok(comments.length >= 5, 'a long paragraph wraps');
    assert.ok(comments.every((l) => l.length <= 91), comments.join('\n'));
    const parsed = parseInput(text);
    assert.equal(parsed.ok, true);
    if (parsed.ok) {
      assert.equal(parsed.value.form, 'request');
      assert.deepEqual({ ...parsed.value.input }, { text: 'hi' });
    }
  });
});

describe('the inputs this window sent', () => {
  test('are copies: later changes to the caller\'s object do not reach them, nor changes to what get returns', () => {
    const sent = new SentInputs();
    const input = { prompt: 'a', nested: { n: 1 } };
    sent.remember('run1', input);
    input.nested.n = 2;
    const got = sent.get('run1');
    assert.deepEqual(got, { prompt: 'a', nested: { n: 1 } });
    if (got) got.prompt = 'changed';
    assert.equal(sent.get('run1')?.prompt, 'a');
    assert.equal(sent.get('other'), undefined);
  });

  test('are bounded by count (oldest dropped) and by bytes (too large is not held at all)', () => {
    const sent = new SentInputs({ maxRuns: 3, maxBytes: 100 });
    for (let i = 1; i <= 5; i++) sent.remember(`r${i}`, { i });
    assert.equal(sent.size, 3);
    assert.equal(sent.get('r1'), undefined);
    assert.deepEqual(sent.get('r5'), { i: 5 });

    const bytes = new SentInputs({ maxRuns: 10, maxBytes: 100 });
    bytes.remember('small', { i: 1 });
    bytes.remember('big', { text: 'x'.repeat(200) });
    assert.equal(bytes.get('big'), undefined, 'an input over the byte budget is not held');
    assert.deepEqual(bytes.get('small'), { i: 1 }, 'and takes nothing else with it');
    bytes.remember('half1', { text: 'x'.repeat(40) });
    bytes.remember('half2', { text: 'y'.repeat(40) });
    assert.equal(bytes.get('small'), undefined, 'the oldest made room for the bytes');
    assert.equal(bytes.get('half1'), undefined, 'and the next, until the rest fits');
    assert.deepEqual(bytes.get('half2'), { text: 'y'.repeat(40) });
    sent.clear();
    assert.equal(sent.size, 0);
  });
});
