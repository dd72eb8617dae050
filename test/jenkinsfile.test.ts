import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const jenkinsfile = fs.readFileSync(path.join(PROJECT_ROOT, 'Jenkinsfile'), 'utf8');
const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts ?? {};

/** The shell scripts of the pipeline's `sh` steps, with Groovy's escaped backslashes undone. */
function shellScripts(groovy: string): string[] {
  const out: string[] = [];
  const step = /\bsh\s*\(?\s*(?:script:\s*)?('''|"""|'|")([\s\S]*?)\1/g;
  for (let m = step.exec(groovy); m !== null; m = step.exec(groovy)) out.push(m[2]!.replace(/\\\\/g, '\\'));
  return out;
}

interface NpmCall {
  readonly line: string;
  /** The npm subcommand, flags skipped: `ci`, `test`, `run`. */
  readonly command: string;
  /** For `run`: the script name and the arguments after `--`. */
  readonly script?: string;
  readonly scriptArgs: string[];
}

/** Every npm invocation in the scripts, lines joined where they continue with a backslash. */
function npmCalls(script: string): NpmCall[] {
  const calls: NpmCall[] = [];
  for (const line of script.replace(/\\\n/g, ' ').split(/\n|&&|\|\||;|\|/)) {
    const m = /(?:^|\s)npm\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const words = m[1]!.trim().split(/\s+/);
    const dashdash = words.indexOf('--');
    const positional = (dashdash === -1 ? words : words.slice(0, dashdash)).filter((w) => !w.startsWith('-'));
    const command = positional[0] ?? '';
    calls.push({
      line: line.trim(),
      command,
      ...(command === 'run' || command === 'run-script' ? { script: positional[1] } : {}),
      scriptArgs: dashdash === -1 ? [] : words.slice(dashdash + 1),
    });
  }
  return calls;
}

const calls = shellScripts(jenkinsfile).flatMap(npmCalls);

describe('Jenkinsfile', () => {
  test('runs npm in its shell steps', () => {
    expect(shellScripts(jenkinsfile).length).toBeGreaterThan(0);
    expect(calls.length).toBeGreaterThan(0);
  });

  test('every npm run refers to a script of package.json', () => {
    const missing = calls.filter((c) => (c.command === 'run' || c.command === 'run-script') && !(c.script !== undefined && c.script in scripts));
    expect(missing.map((c) => c.line)).toEqual([]);
  });

  test('npm test has a test script and npm ci a lock file to install from', () => {
    for (const c of calls) {
      if (c.command === 'test' || c.command === 't') expect(scripts.test).toBeDefined();
      if (c.command === 'ci') expect(fs.existsSync(path.join(PROJECT_ROOT, 'package-lock.json'))).toBe(true);
    }
  });

  test('uses no npm command other than ci, test and run', () => {
    expect(calls.filter((c) => !['ci', 'test', 't', 'run', 'run-script'].includes(c.command)).map((c) => c.line)).toEqual([]);
  });

  test('passes a command only options its usage documents', () => {
    const usages = new Map<string, string>();
    for (const c of calls) {
      const entry = c.script === undefined ? null : /^(?:NODE_EXTRA_CA_CERTS= )?node (?:--\S+ )*scripts\/run\.js (\S+)$/.exec(scripts[c.script] ?? '');
      if (!entry) continue;
      if (!usages.has(entry[1]!)) {
        const help = spawnSync(process.execPath, ['scripts/run.js', entry[1]!, '--help'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
        expect(help.status).toBe(0);
        usages.set(entry[1]!, help.stdout);
      }
      const usage = usages.get(entry[1]!)!;
      const unknown = c.scriptArgs.filter((a) => a.startsWith('--') && !new RegExp(`${a}\\b`).test(usage));
      expect({ line: c.line, unknown }).toEqual({ line: c.line, unknown: [] });
    }
    expect(usages.size).toBeGreaterThan(0);
  }, 60_000);

  test('installs, tests and validates, diffs as Markdown and HTML, and gates on a current tree', () => {
    const lines = calls.map((c) => c.line);
    expect(lines).toEqual(expect.arrayContaining(['npm ci', 'npm test', 'npm run validate', 'npm run diff -- --check']));
    expect(lines.some((l) => /npm run diff -- .*--format markdown/.test(l))).toBe(true);
    expect(lines.some((l) => /npm run diff -- .*--format html/.test(l))).toBe(true);
    expect(jenkinsfile).toMatch(/archiveArtifacts artifacts: '[^']*gitops-diff\.html/);
  });

  /** Each stage's name and its `when` block (`undefined` when it runs on every build). */
  function stages(): { name: string; when: string | undefined; body: string }[] {
    const out: { name: string; when: string | undefined; body: string }[] = [];
    const marks = [...jenkinsfile.matchAll(/^ {4}stage\('([^']+)'\) \{$/gm)];
    for (const [i, m] of marks.entries()) {
      const body = jenkinsfile.slice(m.index!, marks[i + 1]?.index ?? jenkinsfile.length);
      const when = /^ {6}when \{([\s\S]*?)^ {6}\}$|^ {6}when \{(.*)\}$/m.exec(body);
      out.push({ name: m[1]!, when: when ? (when[1] ?? when[2]) : undefined, body });
    }
    return out;
  }

  test('pull requests and main alike run the diff, validate and the stale-tree gate', () => {
    const all = stages();
    const gates = ['Diff', 'Validate', 'gitops/ is current'].map((name) => all.find((s) => s.name === name));
    for (const gate of gates) expect({ name: gate?.name, when: gate?.when }).toEqual({ name: gate?.name, when: undefined });
    expect(gates[0]!.body).toContain('npm run diff -- --base');
    expect(gates[2]!.body).toContain("sh 'npm run diff -- --check'");
  });

  test('the report is written and posted before the gates can fail the build', () => {
    const order = stages().map((s) => s.name);
    const at = (name: string) => order.indexOf(name);
    expect(at('Diff')).toBeGreaterThan(at('Install'));
    expect(at('Post the diff on the pull request')).toBe(at('Diff') + 1);
    for (const gate of ['Test', 'Validate', 'gitops/ is current']) expect(at(gate)).toBeGreaterThan(at('Post the diff on the pull request'));
    expect(order[order.length - 1]).toBe('gitops/ is current');
  });

  test('pull requests diff against the merge base, other builds against the previous commit', () => {
    const diff = shellScripts(stages().find((s) => s.name === 'Diff')!.body)[0]!;
    const base = (env: Record<string, string>, repo: string) => {
      // Only how the base is chosen: the script up to the reports.
      const choose = `${diff.slice(0, diff.indexOf('mkdir -p reports'))}\nprintf '%s' "$base"`;
      const r = spawnSync('sh', ['-c', choose], { cwd: repo, encoding: 'utf8', env: { ...process.env, ...env } });
      expect(r.stderr).toBe('');
      return r.stdout;
    };
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jenkinsfile-base-'));
    try {
      const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: tmp, encoding: 'utf8' }).stdout.trim();
      git('init', '-q', '-b', 'main');
      git('commit', '-q', '--allow-empty', '-m', 'first');
      const first = git('rev-parse', 'HEAD');
      // Only one commit: the report compares with HEAD itself.
      expect(base({}, tmp)).toBe(first);
      git('commit', '-q', '--allow-empty', '-m', 'second');
      const second = git('rev-parse', 'HEAD');
      git('update-ref', 'refs/remotes/origin/main', second);
      git('checkout', '-q', '-b', 'feature', first);
      git('commit', '-q', '--allow-empty', '-m', 'feature');
      expect(base({}, tmp)).toBe(first);
      expect(base({ CHANGE_TARGET: 'main' }, tmp)).toBe(first);
      git('checkout', '-q', 'main');
      expect(base({}, tmp)).toBe(first);
      git('merge', '-q', '--no-ff', '-m', 'merge', 'feature');
      expect(base({}, tmp)).toBe(second);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
