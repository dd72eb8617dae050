// Errors about environment files and gitops.config.yaml point at the file and the line that are
// wrong: a copied environment is blamed, not its original, and a YAML indentation mistake is
// reported at the line that has it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, ConfigProblem } from '../lib/environment/config-error';
import { loadGitopsConfig } from '../lib/environment/gitops-config';
import { loadEnvironments } from '../lib/environment/load-environments';
import { yamlErrorOffset } from '../lib/tree/yaml-error-position';
import { parseDocument } from 'yaml';
import { fixtureEnvironmentText, GITOPS_CONFIG } from './support/fixture-project';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-env-'));
  fs.mkdirSync(path.join(dir, 'environments'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function problemsOf(load: () => unknown): ConfigProblem[] {
  try {
    load();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const staging = fixtureEnvironmentText('staging');

describe('a copied environment file', () => {
  test.each(['qa', 'a-copy', 'zz'])('cp staging.yaml %s.yaml: every clash names the copy, and staging.yaml as the other holder', (name) => {
    fs.writeFileSync(path.join(dir, 'environments', 'staging.yaml'), staging);
    fs.writeFileSync(path.join(dir, 'environments', `${name}.yaml`), staging);
    const problems = problemsOf(() => loadEnvironments(path.join(dir, 'environments'), { root: dir }));
    expect(problems.map((p) => [p.file, p.field])).toEqual([
      [`environments/${name}.yaml`, 'namespace'],
      [`environments/${name}.yaml`, 'host'],
      [`environments/${name}.yaml`, 's3.bucket'],
    ]);
    for (const p of problems) expect(p.allowed).toMatch(/\(environments\/staging\.yaml already (has it|deploys there)\)$/);
  });

  test('when no file is named in the shared value, every file holding it is blamed, each naming the others', () => {
    const shared = staging.replace(/^host: .*$/m, 'host: chat.example.com');
    fs.writeFileSync(path.join(dir, 'environments', 'staging.yaml'), shared);
    fs.writeFileSync(path.join(dir, 'environments', 'qa.yaml'), shared.replace(/chat-staging/g, 'chat-qa'));
    const problems = problemsOf(() => loadEnvironments(path.join(dir, 'environments'), { root: dir }));
    expect(problems.map((p) => [p.file, p.field, p.value, p.allowed])).toEqual([
      ['environments/qa.yaml', 'host', 'chat.example.com', 'a host no other environment uses (environments/staging.yaml already has it)'],
      ['environments/staging.yaml', 'host', 'chat.example.com', 'a host no other environment uses (environments/qa.yaml already has it)'],
    ]);
  });
});

describe('YAML indentation mistakes are reported at the wrong line, at its first character', () => {
  const lines = staging.split('\n');
  const lineOf = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix)) + 1;

  test.each([
    ['a key set one space deeper than its siblings', '    replicas: { min: 2, max: 4 }', ' ', 0],
    ['a key set one space shallower than its siblings', '    cpuTargetPercent: 70', '', -1],
    ['the first key of a mapping set deeper than the rest', '  name: in-cluster', ' ', 0],
    ['the first key of a mapping set shallower than the rest', '      requests: { cpu: 250m, memory: 512Mi }', '', -1],
    ['a key set deeper after a comment line', '  tlsSecretName: chat-staging-tls', ' ', 0],
    ['the first line of the file set deeper', 'namespace: chat-staging', ' ', 0],
  ])('%s', (_what, target, add, remove) => {
    const line = lineOf(target);
    expect(line).toBeGreaterThan(0);
    const edited = lines.slice();
    edited[line - 1] = remove < 0 ? edited[line - 1]!.slice(1) : add + edited[line - 1];
    fs.writeFileSync(path.join(dir, 'environments', 'dev.yaml'), edited.join('\n'));
    const problems = problemsOf(() => loadEnvironments(path.join(dir, 'environments'), { root: dir }));
    expect(problems.length).toBeGreaterThan(0);
    const column = edited[line - 1]!.length - edited[line - 1]!.trimStart().length + 1;
    expect(problems[0]).toMatchObject({ file: 'environments/dev.yaml', line, column, field: '(yaml)', value: edited[line - 1]!.trim() });
  });

  test('gitops.config.yaml too', () => {
    const text = fs.readFileSync(GITOPS_CONFIG, 'utf8').split('\n');
    const line = text.findIndex((l, i) => i > 0 && /^ {2}\S/.test(l) && /^ {2}\S/.test(text[i - 1] ?? '')) + 1;
    expect(line).toBeGreaterThan(1);
    text[line - 1] = ` ${text[line - 1]}`;
    const file = path.join(dir, 'gitops.config.yaml');
    fs.writeFileSync(file, text.join('\n'));
    const problems = problemsOf(() => loadGitopsConfig(file, { root: dir }));
    expect(problems[0]).toMatchObject({ file: 'gitops.config.yaml', line, column: 4, field: '(yaml)' });
  });

  test('positions the library already gets right are kept', () => {
    const text = 'a: [1, 2\nb: 3\n';
    const doc = parseDocument(text);
    for (const error of doc.errors) expect(yamlErrorOffset(text, error)).toBe(error.pos[0]);
  });
});
