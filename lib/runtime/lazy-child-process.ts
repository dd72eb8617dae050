import type * as ChildProcessModule from 'node:child_process';

/**
 * `node:child_process`, loaded on the first call instead of at start-up. Loading it pulls in
 * `net`, `dgram` and the socket machinery, ~5 ms of a run that, like a synth with nothing to
 * write, often never starts a process. The build also hands this module to cdk8s, whose YAML and
 * Helm modules load `child_process` at start-up for URL downloads and Helm charts that a synth
 * never uses (scripts/build.js, `alias`).
 *
 * Each export calls the function of the same name in `node:child_process`, so it behaves the
 * same, errors included. Not covered: `util.promisify` of `exec`/`execFile`, which resolves to
 * `{ stdout, stderr }` only with the real functions; code that needs it imports
 * `node:child_process` itself.
 */
let loaded: typeof ChildProcessModule | undefined;

function childProcess(): typeof ChildProcessModule {
  return (loaded ??= require('node:child_process') as typeof ChildProcessModule);
}

/** Whether anything has called through this module yet (for tests of the start-up path). */
export function isLoaded(): boolean {
  return loaded !== undefined;
}

type Deferred = 'execFileSync' | 'execSync' | 'spawnSync' | 'spawn' | 'execFile' | 'exec' | 'fork';

function deferred<K extends Deferred>(name: K): (typeof ChildProcessModule)[K] {
  return ((...args: unknown[]) => (childProcess()[name] as (...a: unknown[]) => unknown)(...args)) as (typeof ChildProcessModule)[K];
}

export const execFileSync = deferred('execFileSync');
export const execSync = deferred('execSync');
export const spawnSync = deferred('spawnSync');
export const spawn = deferred('spawn');
export const execFile = deferred('execFile');
export const exec = deferred('exec');
export const fork = deferred('fork');
