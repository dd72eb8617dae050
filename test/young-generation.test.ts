// lib/runtime/young-generation.ts: a run started by scripts/run.js keeps V8's young generation small
// unless it expects a large tree. Checked in a child process, on V8's own heap statistics.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

const MODULE = path.join(__dirname, '..', 'lib', 'runtime', 'young-generation.ts');

/** New-space size after allocating and keeping ~40 MB in small objects, in a child process. */
function newSpaceAfterAllocating(expected: number | null): number {
  const { outputFiles } = buildSync({ entryPoints: [MODULE], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent' });
  const script = `
    const v8 = require('node:v8');
    v8.setFlagsFromString('--semi-space-growth-factor=1'); // as scripts/run.js starts every run
    const m = { exports: {} };
    new Function('module', 'exports', 'require', ${JSON.stringify(outputFiles[0]!.text)})(m, m.exports, require);
    ${expected === null ? '' : `m.exports.expectObjects(${expected});`}
    const kept = [];
    for (let i = 0; i < 400000; i++) kept.push({ i, name: 'object-' + i, labels: { app: 'x' + (i % 97) } });
    const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    process.stdout.write(String(space.space_size));
  `;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return Number(run.stdout);
}

describe('expectObjects', () => {
  test('a run that expects a small tree keeps the young generation at its initial size', () => {
    expect(newSpaceAfterAllocating(null)).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(newSpaceAfterAllocating(126)).toBeLessThanOrEqual(2 * 1024 * 1024);
  }, 30_000);

  test('a run that expects a large tree lets it grow, as V8 does by default', () => {
    expect(newSpaceAfterAllocating(21_000)).toBeGreaterThan(2 * 1024 * 1024);
  }, 30_000);
});
