import { GitopsConfig } from '../lib/environment/gitops-config';
import { Environment } from '../lib/environment/environment';
import { writeTree } from '../lib/gitops/write-tree';
import { renderFiles } from './render';
import { validateRendered } from './synthesize';
import { buildSyntheticApp } from './synthetic-platform';

/** What one size of the benchmark measured. */
export interface BenchResult {
  /** Services per environment. */
  readonly services: number;
  readonly environments: number;
  readonly objects: number;
  /** Milliseconds: building and rendering the app, validating it, writing the tree, all together. */
  readonly synthMs: number;
  readonly validateMs: number;
  readonly writeMs: number;
  readonly totalMs: number;
  readonly msPerObject: number;
  /** Peak resident memory of the process, in MiB. */
  readonly peakRssMiB: number;
  /** A second write of the same tree rewrote nothing. */
  readonly rerunWroteNothing: boolean;
}

function since(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Synthesizes, validates and writes (to `out`) the environments with `services` services each. */
export function runBench(environments: readonly Environment[], services: number, out: string, gitops: GitopsConfig): BenchResult {
  // Each service is a Deployment, Service, HPA, PDB, ServiceAccount, NetworkPolicy and Application.
  const started = process.hrtime.bigint();
  let t = started;
  const { objects, files } = renderFiles(buildSyntheticApp(environments, services, gitops));
  const synthMs = since(t);
  t = process.hrtime.bigint();
  validateRendered(objects, environments);
  const validateMs = since(t);
  t = process.hrtime.bigint();
  writeTree(out, files);
  const writeMs = since(t);
  const totalMs = since(started);
  const again = writeTree(out, files);
  return {
    services,
    environments: environments.length,
    objects: objects.length,
    synthMs: Math.round(synthMs),
    validateMs: Math.round(validateMs),
    writeMs: Math.round(writeMs),
    totalMs: Math.round(totalMs),
    msPerObject: Number((totalMs / objects.length).toFixed(3)),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    rerunWroteNothing: again.written.length === 0 && again.removed.length === 0,
  };
}

export function formatBenchTable(results: readonly BenchResult[]): string {
  const header = ['services/env', 'envs', 'objects', 'synth ms', 'validate ms', 'write ms', 'total ms', 'ms/object', 'peak RSS MiB', 'rerun writes'];
  const rows = results.map((r) => [
    r.services,
    r.environments,
    r.objects,
    r.synthMs,
    r.validateMs,
    r.writeMs,
    r.totalMs,
    r.msPerObject.toFixed(3),
    r.peakRssMiB,
    r.rerunWroteNothing ? 'none' : 'SOME',
  ].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
