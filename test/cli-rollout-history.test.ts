// The "has not run in staging" warning of `npm run diff` looks at the environments' own history:
// a rollback of prod to an image prod ran before is no warning (lib/diff/rollout-impact.ts, with
// the history from lib/git/git.ts).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { buildDiffReport } from '../lib/diff/diff-report';
import { imagesInPatch } from '../lib/diff/rollout-impact';
import { Git } from '../lib/git/git';

const DEPLOYMENT = 'envs/prod/backend/Deployment-backend.yaml';

function deployment(image: string, namespace = 'chat-prod'): string {
  return `# header\n${stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'backend', namespace },
    spec: {
      selector: { matchLabels: { app: 'backend' } },
      template: { metadata: { labels: { app: 'backend' } }, spec: { containers: [{ name: 'backend', image }] } },
    },
  })}`;
}

let repo: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });

function commit(files: Record<string, string>, message: string): string {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(repo, 'gitops', rel)), { recursive: true });
    fs.writeFileSync(path.join(repo, 'gitops', rel), text);
  }
  git('add', '-A');
  git('commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD').trim();
}

beforeEach(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-history-'));
  git('init', '-q');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'test');
});
afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

test('imagesInPatch reads every image a patch of manifests adds or removes, in either YAML form', () => {
  const patch = [
    '--- a/x.yaml',
    '+++ b/x.yaml',
    '-        image: registry.example.com/chat/backend:1.0.0',
    '+        image: "registry.example.com/chat/backend:1.1.0"',
    "+      - image: 'apache/kafka:3.7.1'",
    ' unchanged: image: not-this',
    '+        imagePullPolicy: IfNotPresent',
  ].join('\n');
  expect([...imagesInPatch(patch)].sort()).toEqual(['apache/kafka:3.7.1', 'registry.example.com/chat/backend:1.0.0', 'registry.example.com/chat/backend:1.1.0']);
});

test('a rollback of prod to an image prod ran earlier in git is no warning; a never-run image still is', () => {
  const old = 'registry.example.com/chat/backend:1.0.0';
  const current = 'registry.example.com/chat/backend:2.0.0';
  commit({ [DEPLOYMENT]: deployment(old) }, 'prod runs 1.0.0');
  const base = commit({ [DEPLOYMENT]: deployment(current) }, 'prod runs 2.0.0');

  const g = new Git(repo);
  const tree = g.readTree(base, 'gitops');
  const ranBefore = { prod: imagesInPatch(g.history(base, 'gitops/envs/prod')), staging: imagesInPatch(g.history(base, 'gitops/envs/staging')) };
  expect([...ranBefore.prod].sort()).toEqual([old, current]);
  expect([...ranBefore.staging]).toEqual([]);

  const warningsOf = (image: string, options: { ranBefore?: typeof ranBefore }) =>
    buildDiffReport(tree.files, new Map([[DEPLOYMENT, deployment(image)]]), { base: 'HEAD', head: 'working tree', ...options }).impact.groups.flatMap((gr) =>
      gr.warnings.map((w) => w.text),
    );

  // Without the history, the rollback looks like an untried image.
  expect(warningsOf(old, {})).toEqual([`prod image ${old} has not run in staging (neither in the base nor in this change)`]);
  // With it, prod's own past run counts.
  expect(warningsOf(old, { ranBefore })).toEqual([]);
  const untried = 'registry.example.com/chat/backend:3.0.0';
  expect(warningsOf(untried, { ranBefore })).toEqual([
    `prod image ${untried} has not run in staging (neither in the base, nor in this change, nor before in the history of staging or prod)`,
  ]);
});

test("an image staging ran in an earlier commit counts as run in staging", () => {
  const tried = 'registry.example.com/chat/backend:1.5.0';
  commit({ 'envs/staging/backend/Deployment-backend.yaml': deployment(tried, 'chat-staging'), [DEPLOYMENT]: deployment('registry.example.com/chat/backend:1.0.0') }, 'staging tries 1.5.0');
  const base = commit({ 'envs/staging/backend/Deployment-backend.yaml': deployment('registry.example.com/chat/backend:1.6.0', 'chat-staging') }, 'staging moves on');
  const g = new Git(repo);
  const tree = g.readTree(base, 'gitops');
  const head = new Map(tree.files);
  head.set(DEPLOYMENT, deployment(tried));
  const ranBefore = { prod: imagesInPatch(g.history(base, 'gitops/envs/prod')), staging: imagesInPatch(g.history(base, 'gitops/envs/staging')) };
  const report = buildDiffReport(tree.files, head, { base: 'HEAD', head: 'working tree', ranBefore });
  expect(report.impact.groups.flatMap((gr) => gr.warnings)).toEqual([]);
});
