import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Environment } from '../../lib/environment/environment';
import { GitopsConfig, loadGitopsConfig } from '../../lib/environment/gitops-config';
import { loadEnvironments } from '../../lib/environment/load-environments';

// The environments tests build on: fixed copies under test/fixtures/ that no pipeline edits, so a
// test's expectations hold whatever images or environments the repository deploys today. Loaded
// with test/fixtures/ as the project root, their files read `environments/<env>.yaml`, as in a
// real project.

/** The project root of the fixtures: it holds `environments/`. */
export const FIXTURE_ROOT = path.resolve(__dirname, '..', 'fixtures');
/** The fixture environment files: dev, staging and prod. */
export const FIXTURE_ENVIRONMENTS = path.join(FIXTURE_ROOT, 'environments');
/** The names of the fixture environments, sorted. */
export const FIXTURE_NAMES: readonly string[] = ['dev', 'prod', 'staging'];

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
/** The repository's gitops.config.yaml (no pipeline edits it). */
export const GITOPS_CONFIG = path.join(PROJECT_ROOT, 'gitops.config.yaml');
/** `node scripts/run.js <entry>` runs a bundled command. */
export const RUN = path.join(PROJECT_ROOT, 'scripts', 'run.js');

/** Every fixture environment, as synth loads them. */
export function fixtureEnvironments(): Environment[] {
  return loadEnvironments(FIXTURE_ENVIRONMENTS, { root: FIXTURE_ROOT });
}

/** One fixture environment by name. */
export function fixtureEnvironment(name: string): Environment {
  const env = fixtureEnvironments().find((e) => e.name === name);
  if (!env) throw new Error(`no fixture environment ${name}`);
  return env;
}

/** The text of one fixture environment file. */
export function fixtureEnvironmentText(name: string): string {
  return fs.readFileSync(path.join(FIXTURE_ENVIRONMENTS, `${name}.yaml`), 'utf8');
}

/** The repository's gitops.config.yaml, loaded. */
export function gitopsConfig(): GitopsConfig {
  return loadGitopsConfig(GITOPS_CONFIG, { root: PROJECT_ROOT });
}

/**
 * Copies what synth reads from a project root into `dir`: the fixture environments as
 * `environments/` and the root configuration files (`*.yaml`: gitops.config.yaml, cdk8s.yaml).
 * Returns `dir`.
 */
export function copyFixtureProject(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(FIXTURE_ENVIRONMENTS, path.join(dir, 'environments'), { recursive: true });
  for (const file of fs.readdirSync(PROJECT_ROOT)) {
    if (file.endsWith('.yaml') && fs.statSync(path.join(PROJECT_ROOT, file)).isFile()) {
      fs.copyFileSync(path.join(PROJECT_ROOT, file), path.join(dir, file));
    }
  }
  return dir;
}

/** A new scratch project of the fixtures (see `copyFixtureProject`), without a tree. */
export function fixtureProject(prefix = 'fixture-project-'): string {
  return copyFixtureProject(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** Runs the real synth in `root` (its environments/ into its gitops/); throws on failure. */
export function synthFixtureTree(root: string): void {
  const run = spawnSync(process.execPath, [RUN, 'main'], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`synth failed in ${root}:\n${run.stdout}${run.stderr}`);
}
