// The rule catalogue: `npm run validate -- --rules` lists every rule, and docs/rules.md, which the
// README links, is that list as committed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RULES } from '../lib/validation/validate';
import { formatCatalogue, ruleCatalogue } from '../lib/validation/rule-catalogue';

const ROOT = path.join(__dirname, '..');
const RUN = path.join(ROOT, 'scripts', 'run.js');

describe('the rule catalogue', () => {
  test('lists every rule once, in the order validation runs them, each saying what it checks', () => {
    const entries = ruleCatalogue(RULES);
    expect(entries.map((e) => e.id)).toEqual(RULES.map((r) => r.id));
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    for (const e of entries) expect(e.checks.trim()).not.toBe('');
  });

  test('names the Go function of every API-server rule, custom resources included', () => {
    for (const e of ruleCatalogue(RULES).filter((x) => x.id.startsWith('API-') || x.id.startsWith('CRD-'))) expect(e.mirrors).toMatch(/^(\w+\.)?[Vv]alidate\w*\b/);
  });

  test('docs/rules.md is the markdown catalogue of the rules as they are', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'rules.md'), 'utf8');
    expect(doc.slice(doc.indexOf('| rule |'))).toBe(`${formatCatalogue(ruleCatalogue(RULES), 'markdown')}\n`);
  });

  test('npm run validate -- --rules prints it, one rule a line', () => {
    const run = spawnSync(process.execPath, [RUN, 'commands/validate', '--rules'], { cwd: os.tmpdir(), encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout.trimEnd().split('\n').map((l) => l.split('\t')[0])).toEqual(RULES.map((r) => r.id));
  }, 120_000);

  test('--rules takes no path', () => {
    const run = spawnSync(process.execPath, [RUN, 'commands/validate', '--rules', 'gitops'], { cwd: os.tmpdir(), encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--rules takes no path');
  }, 120_000);
});
