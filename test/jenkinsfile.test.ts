import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
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

  test('installs, tests and validates, diffs pull requests as Markdown and HTML, and gates main on a current tree', () => {
    const lines = calls.map((c) => c.line);
    expect(lines).toEqual(expect.arrayContaining(['npm ci', 'npm test', 'npm run validate', 'npm run diff -- --check']));
    expect(lines.some((l) => /npm run diff -- .*--format markdown/.test(l))).toBe(true);
    expect(lines.some((l) => /npm run diff -- .*--format html/.test(l))).toBe(true);
    expect(jenkinsfile).toMatch(/archiveArtifacts artifacts: '[^']*gitops-diff\.html/);
    expect(jenkinsfile).toMatch(/stage\('gitops\/ is current'\) \{\s*when \{ branch 'main' \}/);
  });
});
