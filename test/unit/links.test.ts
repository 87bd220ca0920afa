// What a link into VS Code asks for (src/shared/links.ts): a run, a flow with
// an input file inside the workspace, or nothing, with the reason in words.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cleanRelativePath, isPlainId, parseLink } from '../../src/shared/links';

describe('links into VS Code', () => {
  test('a run link names the run', () => {
    assert.deepEqual(parseLink('/run/flowrun_1a2b3c4d', ''), { kind: 'run', runId: 'flowrun_1a2b3c4d' });
    assert.deepEqual(parseLink('/run/flowrun_1a2b3c4d/', ''), { kind: 'run', runId: 'flowrun_1a2b3c4d' });
  });

  test('a flow link names the flow and, if given, a workspace file', () => {
    assert.deepEqual(parseLink('/flow/flow_x', ''), { kind: 'flow', flowId: 'flow_x' });
    assert.deepEqual(parseLink('/flow/flow_x', 'input=samples/a b+c.flow.json'), { kind: 'flow', flowId: 'flow_x', input: 'samples/a b+c.flow.json' });
    assert.deepEqual(parseLink('/flow/flow_x', 'other=1&input=a.json'), { kind: 'flow', flowId: 'flow_x', input: 'a.json' });
  });

  test('anything else is refused with the reason', () => {
    const bad = (path: string, query = ''): string => {
      const t = parseLink(path, query);
      assert.equal(t.kind, 'bad', `${path}?${query}`);
      return t.kind === 'bad' ? t.reason : '';
    };
    assert.match(bad('/'), /is not a Flow Runs link/);
    assert.match(bad('/runs/flowrun_1'), /is not a Flow Runs link/);
    assert.match(bad('/run/a/b'), /is not a Flow Runs link/);
    assert.match(bad('/run/'), /is not a run id/);
    assert.match(bad('/run/not*an*id'), /"not\*an\*id" is not a run id/);
    assert.match(bad('/flow/..'), /is not a flow id/);
    for (const input of ['../x.json', 'a/../../x.json', '/etc/passwd', 'C:/x.json', 'a\\..\\x.json', './x.json', 'a//b.json', '']) {
      assert.match(bad('/flow/flow_x', `input=${input}`), /must be a path inside this workspace/, input);
    }
  });

  test('what a link says is quoted short, plain and never as a clickable link', () => {
    const t = parseLink('/run/[Your key expired](https://evil.example)', '');
    assert.equal(t.kind, 'bad');
    const reason = t.kind === 'bad' ? t.reason : '';
    assert.ok(!/[[\]]/.test(reason), reason);
    assert.ok(reason.length < 140, reason);
  });

  test('ids are letters, digits, _ and -, at most 128', () => {
    assert.ok(isPlainId('flowrun_01HZ-abc'));
    assert.ok(isPlainId('a'.repeat(128)));
    assert.ok(!isPlainId('a'.repeat(129)));
    assert.ok(!isPlainId('_leading'));
    assert.ok(!isPlainId('x y'));
    assert.equal(cleanRelativePath('samples/input.flow.json'), 'samples/input.flow.json');
  });
});
