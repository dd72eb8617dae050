// `npm run bench`: how synth scales with the number of services, and how it compares with the
// stock cdk8s workflow. Each size runs in a fresh process, so its peak memory is its own.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCommandLine } from '../lib/cli/command-line';
import { loadGitopsConfig } from '../lib/environment/gitops-config';
import { BenchResult, formatBenchTable, runBench } from '../app/bench';
import { loadEnvironments } from '../lib/environment/load-environments';

const USAGE = `usage: npm run bench [-- --sizes 10,100,300,1000] [--runs 5] [--skip-stock] [--json <file>]

Synthesizes, validates and writes 3 environments of N stateless services for each N, each in its
own process, then times \`npm run synth\` against the stock \`cdk8s synth\` (ts-node) on the
default environments, and, in the same rounds, npm and Node starting alone (the floor of any
\`npm run\`).`;

const ROOT = path.resolve(__dirname, '..', '..');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Wall time of a command, in ms; throws with its output when it fails. */
function timeCommand(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(command, args, { cwd: ROOT, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  return ms;
}

function child(size: number, out: string): void {
  // The project's own environments are the templates of the synthetic ones.
  const environments = loadEnvironments(path.join(ROOT, 'environments'), { root: ROOT });
  const result = runBench(environments, size, out, loadGitopsConfig());
  process.stdout.write(JSON.stringify(result));
}

function main(argv: string[]): number {
  const input = readCommandLine(
    'bench',
    USAGE,
    argv,
    {
      options: {
        sizes: { type: 'string', default: '10,100,300,1000' },
        runs: { type: 'string', default: '5' },
        'skip-stock': { type: 'boolean', default: false },
        json: { type: 'string' },
        child: { type: 'string' },
        out: { type: 'string' },
      },
      paths: ['json', 'out'],
    },
    ({ values }) => {
      const sizes = values.sizes.split(',').map((s) => Number(s.trim()));
      const runs = Number(values.runs);
      if (values.child === undefined && (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(runs) || runs < 1)) {
        throw new Error('--sizes must be positive integers and --runs a positive integer');
      }
      return { values, sizes, runs };
    },
  );
  if (typeof input === 'number') return input;
  const { values, sizes, runs } = input;
  if (values.child !== undefined) {
    child(Number(values.child), values.out!);
    return 0;
  }

  const results: BenchResult[] = [];
  for (const size of sizes) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-tree-'));
    try {
      // Started the way `npm run synth` starts: scripts/run.js (code caches, the same V8 settings)
      // under the Node options this bench was started with, which its npm script shares with synth's.
      const child = [...process.execArgv, path.join(ROOT, 'scripts', 'run.js'), 'commands/bench', '--child', String(size)];
      const run = spawnSync(process.execPath, [...child, '--out', path.join(out, 'gitops')], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      if (run.status !== 0) {
        console.error(`bench: N=${size} failed:\n${run.stderr}`);
        return 1;
      }
      results.push(JSON.parse(run.stdout) as BenchResult);
      console.error(`bench: N=${size} done`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }
  console.log(formatBenchTable(results));

  let comparison: Record<string, unknown> | undefined;
  if (!values['skip-stock']) {
    // Warm both paths once (bundle and code cache, ts-node's module cache), then time each.
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const ours = () => timeCommand(npm, ['run', '-s', 'synth']);
    const stock = () => timeCommand(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth']);
    ours();
    stock();
    // What no synth can go below on this machine at this moment, timed in the same rounds: npm
    // starting and exiting without running a script, and Node starting the way synth's npm
    // script starts it and running nothing.
    const npmAlone = () => timeCommand(npm, ['run', '-s', '--if-present', 'bench-no-such-script']);
    const nodeAlone = () => timeCommand(process.execPath, ['-e', '0'], { ...process.env, NODE_EXTRA_CA_CERTS: '' });
    const oursMs: number[] = [];
    const stockMs: number[] = [];
    const npmMs: number[] = [];
    const nodeMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      oursMs.push(ours());
      stockMs.push(stock());
      npmMs.push(npmAlone());
      nodeMs.push(nodeAlone());
    }
    const before = fs.statSync(path.join(ROOT, 'gitops', 'bootstrap')).mtimeMs;
    const rerun = execFileSync(npm, ['run', '-s', 'synth'], { cwd: ROOT, encoding: 'utf8' });
    const rewrote = !/: 0 written, 0 removed/.test(rerun) || fs.statSync(path.join(ROOT, 'gitops', 'bootstrap')).mtimeMs !== before;
    comparison = {
      runs,
      npmRunSynthMedianMs: Math.round(median(oursMs)),
      stockCdk8sSynthMedianMs: Math.round(median(stockMs)),
      ratio: Number((median(stockMs) / median(oursMs)).toFixed(1)),
      rerunWithoutChangeWroteFiles: rewrote,
      npmAloneMedianMs: Math.round(median(npmMs)),
      nodeAloneMedianMs: Math.round(median(nodeMs)),
    };
    console.log(
      `\nnpm run synth (default environments): median ${comparison.npmRunSynthMedianMs} ms over ${runs} runs\n` +
        `stock cdk8s synth (ts-node main.ts):  median ${comparison.stockCdk8sSynthMedianMs} ms over ${runs} runs\n` +
        `ratio: ${comparison.ratio}x faster; re-run with no change wrote files: ${rewrote ? 'YES' : 'no'}\n` +
        `start-up floor in the same rounds: npm alone median ${comparison.npmAloneMedianMs} ms, ` +
        `node -e 0 median ${comparison.nodeAloneMedianMs} ms`,
    );
  }
  const json = JSON.stringify({ machine: { cpus: os.cpus().length, node: process.version }, results, comparison }, null, 2);
  if (values.json) fs.writeFileSync(values.json, `${json}\n`);
  console.log(`\n${json}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
