// The one suite that reads the repository's own environments/ and gitops/: the committed tree is
// exactly what synth makes of the committed environment files, and it validates as
// `npm run validate` validates it. It assumes nothing about which environments exist or which
// images they run, so it holds after any set-image, promote, rollback or publish, and after an
// environment is added. Every other suite works on the fixtures under test/fixtures/, and the
// guard at the end of this file keeps it that way.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderTree, validateRendered } from '../app/synthesize';
import { loadGitopsConfig } from '../lib/environment/gitops-config';
import { loadEnvironments } from '../lib/environment/load-environments';
import { treeFiles } from './support/tree-files';

const REPO = path.resolve(__dirname, '..');
const LIVE_ENVIRONMENTS = path.join(REPO, 'environments');
const LIVE_TREE = path.join(REPO, 'gitops');
/** The first run may bundle dist/ from scratch. */
const CLI_TIMEOUT = 120_000;

/** The paths whose contents differ between the two trees, or that only one of them has, each marked. */
function treeDifferences(expected: ReadonlyMap<string, string>, actual: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [file, content] of expected) {
    if (!actual.has(file)) out.push(`missing on disk, synth writes it: ${file}`);
    else if (actual.get(file) !== content) out.push(`differs from what synth makes: ${file}`);
  }
  for (const file of actual.keys()) if (!expected.has(file)) out.push(`on disk, synth does not make it: ${file}`);
  return out.sort();
}

describe('the committed tree (gitops/) and environments/', () => {
  const environments = loadEnvironments(LIVE_ENVIRONMENTS, { root: REPO });
  const { objects, files } = renderTree(environments, loadGitopsConfig(path.join(REPO, 'gitops.config.yaml'), { root: REPO }));

  test('environments/ holds at least one environment, and synth renders them with no validation finding', () => {
    expect(environments.length).toBeGreaterThan(0);
    expect(validateRendered(objects, environments).findings).toEqual([]);
  });

  test('gitops/ holds exactly the files synth makes of environments/, byte for byte', () => {
    const onDisk = treeFiles(LIVE_TREE);
    expect(files.size).toBeGreaterThan(0);
    expect(treeDifferences(files, onDisk)).toEqual([]);
  });

  test('every environment of environments/ has its manifests under envs/<env>/ and its Applications under apps/<env>/', () => {
    const folders = (top: string) => new Set([...files.keys()].filter((f) => f.startsWith(`${top}/`)).map((f) => f.split('/')[1]));
    for (const env of environments) {
      expect(folders('envs').has(env.name)).toBe(true);
      expect(folders('apps').has(env.name)).toBe(true);
    }
    expect([...folders('envs')].sort()).toEqual(environments.map((e) => e.name).sort());
  });

  test('npm run validate finds 0 problems in gitops/ and environments/', () => {
    const run = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'run.js'), 'commands/validate'], { cwd: REPO, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^validate: \d+ objects, 0 problems, \d+ exemptions/m);
    expect(run.status).toBe(0);
  }, CLI_TIMEOUT);
});

// ---------------------------------------------------------------------------------------------
// The guard: no test source but this one refers to the repository's environments/ or gitops/.

/** Whether an absolute path is the repository's environments/ or gitops/, or inside one. */
function isLive(p: string, repo: string): boolean {
  return ['environments', 'gitops'].some((folder) => {
    const live = path.join(repo, folder);
    return p === live || p.startsWith(live + path.sep);
  });
}

/** The text between the parenthesis at `open` and its match, strings and templates skipped. */
function balanced(source: string, open: number): string {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i]!;
    if (c === "'" || c === '"' || c === '`') {
      for (i++; i < source.length && source[i] !== c; i++) if (source[i] === '\\') i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return source.slice(open + 1, i);
    }
  }
  return source.slice(open + 1);
}

/** The top-level comma-separated arguments of a call's text. */
function splitArgs(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === '`') {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last) args.push(last);
  return args;
}

const PATH_CALL = /\bpath\.(?:posix\.)?(join|resolve)\(/g;
const SPAWN_CALL = /\b(?:spawn|spawnSync|execFile|execFileSync|exec|execSync|fork)\(/g;
/** Calls whose first argument is a path read relative to jest's working directory, the repository. */
const READS_PATH = /\b(?:fs\.\w+|loadEnvironments?|loadGitopsConfig|readTree|readTreeFiles|scanEnvironmentFiles|treeFiles|environmentNames|environmentFile|resynthesize)\(/g;

/**
 * Every place a TypeScript test source at `file` refers to the repository `repo`'s environments/
 * or gitops/, as `<line>: <what>`: a path built from the repository root (`path.join(ROOT,
 * 'environments')`, `${ROOT}/gitops/…`, `path.resolve('gitops')`, a relative import), a read of a
 * path relative to jest's working directory (the repository), an in-process synth of that
 * directory, and a project command (`scripts/run.js`, npm) run there, where it reads both folders.
 */
function liveReferences(source: string, file: string, repo: string = REPO): string[] {
  const found: { at: number; what: string }[] = [];
  const lineOf = (at: number) => source.slice(0, at).split('\n').length;

  // Constants the source binds to paths it can be read to: `const ROOT = path.resolve(__dirname, '..')`.
  const bindings = new Map<string, string>();
  const evaluate = (expr: string): string | undefined => {
    const e = expr.trim();
    if (e === '__dirname') return path.dirname(file);
    if (e === 'process.cwd()') return repo;
    const literal = /^(['"`])([^'"`$\\]*)\1$/.exec(e);
    if (literal) return literal[2];
    if (/^[A-Za-z_$][\w$]*$/.test(e)) return bindings.get(e);
    const call = /^path\.(?:posix\.)?(join|resolve)\(/.exec(e);
    if (call && balanced(e, call[0].length - 1).length === e.length - call[0].length - 1) {
      const parts = splitArgs(balanced(e, call[0].length - 1)).map(evaluate);
      if (parts.some((p) => p === undefined)) return undefined;
      return call[1] === 'resolve' ? path.resolve(repo, ...(parts as string[])) : path.join(...(parts as string[]));
    }
    return undefined;
  };
  const absolute = (p: string) => path.resolve(repo, p);
  for (let round = 0; round < 3; round++) {
    for (const m of source.matchAll(/\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*string\s*)?=\s*([^;\n]+)/g)) {
      const value = evaluate(m[2]!);
      if (value !== undefined) bindings.set(m[1]!, value);
    }
  }

  // path.join / path.resolve calls, as far as their arguments can be read.
  for (const m of source.matchAll(PATH_CALL)) {
    const open = m.index! + m[0].length - 1;
    let prefix: string | undefined;
    for (const arg of splitArgs(balanced(source, open))) {
      const value = evaluate(arg);
      if (value === undefined) break;
      prefix = prefix === undefined ? value : m[1] === 'resolve' ? path.resolve(prefix, value) : path.join(prefix, value);
    }
    if (prefix === undefined) continue;
    const resolved = m[1] === 'resolve' || path.isAbsolute(prefix) ? absolute(prefix) : undefined;
    if (resolved !== undefined && isLive(resolved, repo)) found.push({ at: m.index!, what: `path ${path.relative(repo, resolved)} of the repository` });
  }

  // Template literals: `${ROOT}/environments/dev.yaml`.
  for (const m of source.matchAll(/\$\{\s*([A-Za-z_$][\w$]*)\s*\}\/([^`$]*)/g)) {
    const base = bindings.get(m[1]!);
    if (base === undefined || !path.isAbsolute(base)) continue;
    const resolved = path.join(base, m[2]!);
    if (isLive(resolved, repo)) found.push({ at: m.index!, what: `path ${path.relative(repo, resolved)} of the repository` });
  }

  // Relative imports and requires of files in those folders.
  for (const m of source.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const resolved = path.resolve(path.dirname(file), m[1]!);
    if (isLive(resolved, repo)) found.push({ at: m.index!, what: `import of ${path.relative(repo, resolved)} of the repository` });
  }

  // A path read relative to the working directory: fs.readFileSync('gitops/…'), loadEnvironments('environments').
  for (const m of source.matchAll(READS_PATH)) {
    const first = splitArgs(balanced(source, m.index! + m[0].length - 1))[0];
    const literal = first === undefined ? undefined : /^(['"`])([^'"`$\\]*)\1$/.exec(first);
    if (literal && !path.isAbsolute(literal[2]!) && isLive(absolute(literal[2]!), repo)) {
      found.push({ at: m.index!, what: `read of ${literal[2]} relative to the working directory (the repository)` });
    }
  }

  // An in-process synth of the working directory: synthesize() without a root.
  for (const m of source.matchAll(/\bsynthesize\(/g)) {
    if (source[m.index! - 1] === '.' || /function\s+$/.test(source.slice(Math.max(0, m.index! - 9), m.index!))) continue;
    const args = balanced(source, m.index! + m[0].length - 1);
    if (!/\broot\b/.test(args)) found.push({ at: m.index!, what: 'synthesize() without a root synthesizes the working directory (the repository)' });
  }

  // A project command run with the repository as its working directory, or with no cwd (jest's,
  // the repository): synth, validate, diff and the pipeline commands read environments/ and gitops/.
  // Template literals are left out: a script handed to `node -e` may name run.js without running it.
  const runsCommand = (text: string) => {
    const code = text.replace(/`[^`]*`/g, '``');
    return (
      /run\.js|['"]npm['"]|['"]npx['"]|main\.ts|\bdist\b/.test(code) ||
      [...code.matchAll(/[A-Za-z_$][\w$]*/g)].some((id) => /scripts[\\/]run\.js$/.test(bindings.get(id[0]) ?? ''))
    );
  };
  for (const m of source.matchAll(SPAWN_CALL)) {
    if (source[m.index! - 1] === '.' && !/child_process\.$|cp\.$/.test(source.slice(0, m.index!))) continue;
    const text = balanced(source, m.index! + m[0].length - 1);
    // Building the bundle reads the sources only, and --help prints the usage before reading anything.
    if (!runsCommand(text) || /build\.js/.test(text) || /['"]--help['"]/.test(text)) continue;
    const cwd = /\bcwd\s*:\s*([^,}\n]+)/.exec(text);
    if (cwd) {
      const value = evaluate(cwd[1]!);
      if (value !== undefined && absolute(value) === repo) found.push({ at: m.index!, what: 'a project command run in the repository' });
    } else if (!/\bcwd\b/.test(text)) {
      found.push({ at: m.index!, what: "a project command run without cwd, in jest's working directory (the repository)" });
    }
  }

  return found.sort((a, b) => a.at - b.at).map((f) => `${lineOf(f.at)}: ${f.what}`);
}

/** Every TypeScript source under test/, by path relative to the repository. */
function testSources(): string[] {
  const out: string[] = [];
  const visit = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(REPO, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) {
        if (child !== 'test/fixtures') visit(child);
      } else if (entry.name.endsWith('.ts')) out.push(child);
    }
  };
  visit('test');
  return out.sort();
}

describe('test isolation: only this suite reads the live environments/ and gitops/', () => {
  const THIS = path.posix.join('test', path.basename(__filename));

  test('no other test source refers to the repository environments/ or gitops/', () => {
    const offenders = testSources()
      .filter((rel) => rel !== THIS)
      .flatMap((rel) => liveReferences(fs.readFileSync(path.join(REPO, rel), 'utf8'), path.join(REPO, rel)).map((r) => `${rel}:${r}`));
    expect(offenders).toEqual([]);
  });

  test('the scan covers the test sources, the support modules included, and sees this suite’s own reads', () => {
    const sources = testSources();
    expect(sources).toEqual(expect.arrayContaining(['test/synth.test.ts', 'test/frontend-chart.test.ts', 'test/support/fixture-project.ts', THIS]));
    expect(sources.length).toBeGreaterThan(40);
    // This suite's real reads, each on the line that makes it.
    const text = fs.readFileSync(__filename, 'utf8');
    const lineOf = (code: string) => text.slice(0, text.indexOf(code)).split('\n').length;
    const own = liveReferences(text, __filename);
    expect(own).toContain(`${lineOf("const LIVE_ENVIRONMENTS = path.join(REPO, 'environments')")}: path environments of the repository`);
    expect(own).toContain(`${lineOf("const LIVE_TREE = path.join(REPO, 'gitops')")}: path gitops of the repository`);
    expect(own).toContain(`${lineOf("const run = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'run.js'), 'commands/validate']")}: a project command run in the repository`);
  });

  // Fake sources at test/x.test.ts of a repository at /repo.
  const FAKE_REPO = '/repo';
  const FAKE_FILE = '/repo/test/x.test.ts';
  const scan = (source: string) => liveReferences(source, FAKE_FILE, FAKE_REPO);

  test.each([
    ["path.join from a root constant", "const ROOT = path.resolve(__dirname, '..');\nconst envs = loadEnvironments(path.join(ROOT, 'environments'), { root: ROOT });", ['2: path environments of the repository']],
    ['path.join of a file in gitops/', "const PROJECT_ROOT = path.join(__dirname, '..');\nconst text = fs.readFileSync(path.join(PROJECT_ROOT, 'gitops', 'envs', `${env}`, 'x.yaml'), 'utf8');", ['2: path gitops/envs of the repository']],
    ['path.join straight from __dirname', "fs.cpSync(path.join(__dirname, '..', 'environments'), dir, { recursive: true });", ['1: path environments of the repository']],
    ['a fixture path climbing back out', "const FIXTURES = path.join(__dirname, 'fixtures', 'environments');\nfs.readdirSync(path.join(FIXTURES, '..', '..', '..', 'gitops'));", ['2: path gitops of the repository']],
    ['a template literal', "const ROOT = path.resolve(__dirname, '..');\nconst f = `${ROOT}/environments/dev.yaml`;", ['2: path environments/dev.yaml of the repository']],
    ['path.resolve of a relative folder', "const tree = readTree(path.resolve('gitops'));", ['1: path gitops of the repository']],
    ['a read relative to the working directory', "const text = fs.readFileSync('environments/staging.yaml', 'utf8');", ['1: read of environments/staging.yaml relative to the working directory (the repository)']],
    ['loading the relative folder', "const envs = loadEnvironments('./environments');", ['1: read of ./environments relative to the working directory (the repository)']],
    ['process.cwd()', "const out = path.join(process.cwd(), 'gitops');", ['1: path gitops of the repository']],
    ['a relative import', "import prod from '../environments/prod.yaml';", ['1: import of environments/prod.yaml of the repository']],
    ['an in-process synth of the working directory', 'const result = synthesize({ dryRun: true });', ['1: synthesize() without a root synthesizes the working directory (the repository)']],
    ['synth run in the repository', "const ROOT = path.resolve(__dirname, '..');\nspawnSync(process.execPath, ['scripts/run.js', 'main', '--out', tmp], { cwd: ROOT, encoding: 'utf8' });", ['2: a project command run in the repository']],
    ['validate run with no cwd', "const RUN = path.join(__dirname, '..', 'scripts', 'run.js');\nspawnSync(process.execPath, [RUN, 'commands/validate', tree], { encoding: 'utf8' });", ["2: a project command run without cwd, in jest's working directory (the repository)"]],
  ])('catches %s', (_name, source, expected) => {
    expect(scan(source)).toEqual(expected);
  });

  test('lets through fixtures, scratch projects, the build, gitops.config.yaml and messages that name the folders', () => {
    const clean = [
      "const ROOT = path.resolve(__dirname, '..');",
      "const RUN = path.join(ROOT, 'scripts', 'run.js');",
      "const FIXTURES = path.join(__dirname, 'fixtures', 'environments');",
      "const config = loadGitopsConfig(path.join(ROOT, 'gitops.config.yaml'), { root: ROOT });",
      "fs.cpSync(FIXTURES, path.join(root, 'environments'), { recursive: true });",
      "const file = path.join(root, 'gitops', 'envs', 'dev', 'backend', 'Deployment-backend.yaml');",
      "spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, stdio: 'ignore' });",
      "spawnSync(process.execPath, [RUN, 'main', '--environments', 'environments'], { cwd: root, encoding: 'utf8' });",
      'const child = spawn(process.execPath, [RUN, entry, ...args], { cwd, env });',
      "synthesize({ root: p.root, allowRemoval: ['staging'] });",
      "spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'run.js'), command, '--help'], { cwd: ROOT, encoding: 'utf8' });",
      "spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(RUN)})`], { encoding: 'utf8' });",
      "expect(run.stderr).toContain('environments/dev.yaml:12:12: components.backend.image');",
      "expect(git(work, 'status', '--porcelain', '--', 'environments', 'gitops')).toBe('');",
      "const rel = path.posix.join('gitops', 'envs', env);",
    ].join('\n');
    expect(scan(clean)).toEqual([]);
  });
});
