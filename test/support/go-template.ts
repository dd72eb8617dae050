// Renders Argo CD notification templates with real Go text/template and real Sprig: Debian's
// golang-go and golang-github-masterminds-sprig-dev, built offline in GOPATH mode from the Go
// sources Debian installs under /usr/share/gocode (Debian packs Sprig 3.2.3; Argo CD 3.x links
// Sprig 3.3.0, with the same functions the templates use). The program is
// test/support/notification-template/main.go.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findExecutable } from './system-tool';

const GOCODE = '/usr/share/gocode/src';
const SPRIG = path.join(GOCODE, 'github.com/Masterminds/sprig');
const PROGRAM = path.join(__dirname, 'notification-template');
const PACKAGES = 'golang-go and golang-github-masterminds-sprig-dev';

function findGo(): string | undefined {
  return findExecutable('go', ['/usr/lib/go/bin']);
}

/** Why templates cannot be rendered here, or undefined when they can. */
export function goTemplateMissing(): string | undefined {
  const missing = [...(findGo() ? [] : ['the Go toolchain']), ...(fs.existsSync(path.join(SPRIG, 'functions.go')) ? [] : ['the Sprig sources'])];
  return missing.length === 0 ? undefined : `${missing.join(' and ')} not installed: install them with \`apt-get install -y ${PACKAGES}\` (.ci/run does)`;
}

/**
 * A GOPATH in which Sprig's import paths resolve to Debian's sources: Debian installs modules by
 * their path without the major-version suffix (`…/sprig`, `…/semver`), which GOPATH mode would not
 * find for the `/v3` paths Sprig imports.
 */
function gopath(dir: string): string {
  const src = path.join(dir, 'src');
  const masterminds = path.join(src, 'github.com', 'Masterminds');
  fs.mkdirSync(masterminds, { recursive: true });
  for (const top of fs.readdirSync(GOCODE)) {
    if (top !== 'github.com') fs.symlinkSync(path.join(GOCODE, top), path.join(src, top));
  }
  for (const owner of fs.readdirSync(path.join(GOCODE, 'github.com'))) {
    if (owner !== 'Masterminds') fs.symlinkSync(path.join(GOCODE, 'github.com', owner), path.join(src, 'github.com', owner));
  }
  for (const repo of fs.readdirSync(path.join(GOCODE, 'github.com', 'Masterminds'))) {
    const target = path.join(GOCODE, 'github.com', 'Masterminds', repo);
    const gomod = path.join(target, 'go.mod');
    const module = fs.existsSync(gomod) ? /^module\s+(\S+)/m.exec(fs.readFileSync(gomod, 'utf8'))?.[1] : undefined;
    const suffix = module?.match(/\/(v[2-9][0-9]*)$/)?.[1];
    if (suffix) {
      fs.mkdirSync(path.join(masterminds, repo), { recursive: true });
      fs.symlinkSync(target, path.join(masterminds, repo, suffix));
    } else {
      fs.symlinkSync(target, path.join(masterminds, repo));
    }
  }
  return dir;
}

/** Builds the renderer once; returns a function rendering one template with its variables. */
export function buildTemplateRenderer(): { render: (template: string, vars: Record<string, unknown>) => string; dispose: () => void } {
  const go = findGo();
  if (!go) throw new Error(goTemplateMissing());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-go-template-'));
  const binary = path.join(dir, 'render');
  const env = {
    ...process.env,
    GO111MODULE: 'off',
    GOPATH: gopath(path.join(dir, 'gopath')),
    GOFLAGS: '',
    GOTOOLCHAIN: 'local',
    GOCACHE: process.env.GOCACHE ?? path.join(os.tmpdir(), 'argocd-go-template-cache'),
  };
  const build = spawnSync(go, ['build', '-o', binary, '.'], { cwd: PROGRAM, env, encoding: 'utf8', timeout: 300_000 });
  if (build.status !== 0) throw new Error(`go build failed (${build.status ?? build.signal}): ${build.stderr}${build.error ?? ''}`);
  return {
    render(template, vars) {
      const run = spawnSync(binary, [], { input: JSON.stringify({ template, vars }), encoding: 'utf8', timeout: 10_000 });
      if (run.status !== 0) throw new Error(`template did not render: ${run.stderr.trim()}`);
      return run.stdout;
    },
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
