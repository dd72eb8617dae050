/**
 * The application repositories' Jenkinsfiles call this project's commands; nothing here runs
 * Jenkins (there is none on this machine), so these tests check what can drift: that every command
 * and option they use exists, the seed's stages, and how credentials are handled.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const JENKINS = path.join(PROJECT_ROOT, 'jenkins');
const SLOW = 120_000;
const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts;

const STAGES: Record<string, string[]> = {
  'backend.Jenkinsfile': ['Checkout', 'Clean', 'Compile', 'Test', 'Package', 'Docker build', 'Docker push', 'Release to GitOps'],
  'frontend.Jenkinsfile': ['Checkout', 'Install dependencies', 'Test', 'Build', 'Docker build', 'Docker push', 'Release to GitOps'],
};

function jenkinsfile(name: string): string {
  return fs.readFileSync(path.join(JENKINS, name), 'utf8');
}

/** The text of every `dir(gitopsDir()) { … }` block: what runs in a checkout of this project. */
function gitopsBlocks(text: string): string[] {
  const blocks: string[] = [];
  for (let at = text.indexOf('dir(gitopsDir())'); at >= 0; at = text.indexOf('dir(gitopsDir())', at + 1)) {
    const open = text.indexOf('{', at);
    let depth = 0;
    for (let i = open; i < text.length; i++) {
      if (text[i] === '{') depth++;
      if (text[i] === '}' && --depth === 0) {
        blocks.push(text.slice(open + 1, i));
        break;
      }
    }
  }
  return blocks;
}

/** Each `npm …` command line of the blocks, shell line continuations joined. */
function npmCommands(blocks: string[]): string[] {
  return blocks
    .map((b) => b.replace(/\\\n\s*/g, ' '))
    .flatMap((b) => b.split('\n'))
    // Up to the end of the line or of the single-quoted Groovy string holding the command.
    .map((line) => /\bnpm (?:run|ci)\b[^'\n]*/.exec(line)?.[0].trim())
    .filter((c): c is string => c !== undefined);
}

function help(command: string): string {
  const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'run.js'), command, '--help'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  expect(result.status).toBe(0);
  return result.stdout;
}

const FILES = Object.keys(STAGES);

describe.each(FILES)('jenkins/%s', (name) => {
  const text = jenkinsfile(name);
  const commands = npmCommands(gitopsBlocks(text));

  test('calls set-image, publish and notify in a checkout of this project', () => {
    const called = commands.filter((c) => c.startsWith('npm run ')).map((c) => c.split(/\s+/)[2]);
    expect([...new Set(called)].sort()).toEqual(['notify', 'publish', 'set-image']);
    expect(commands).toContain('npm ci --no-audit --no-fund');
  });

  test('every npm script it runs exists, and every option it passes is one the command accepts', () => {
    expect(fs.existsSync(path.join(PROJECT_ROOT, 'package-lock.json'))).toBe(true);
    for (const command of commands.filter((c) => c.startsWith('npm run '))) {
      const script = command.split(/\s+/)[2];
      expect(scripts[script]).toMatch(new RegExp(`^(NODE_EXTRA_CA_CERTS= )?node (--\\S+ )*scripts/run\\.js commands/${script}$`));
      expect(fs.existsSync(path.join(PROJECT_ROOT, 'commands', `${script}.ts`))).toBe(true);
      const usage = help(`commands/${script}`);
      for (const option of command.match(/(?<=\s)--[a-z][a-z-]*/g) ?? []) {
        expect({ command, option, accepted: usage.includes(`${option} `) || usage.includes(`${option}]`) }).toEqual({ command, option, accepted: true });
      }
    }
  }, SLOW);

  test('has the seed pipeline’s stages, in order', () => {
    const stages = [...text.matchAll(/stage\('([^']+)'\)/g)].map((m) => m[1]);
    expect(stages).toEqual(STAGES[name]);
  });

  test('tags the image with the commit id, never latest, and releases it by digest', () => {
    expect(text).toContain("env.IMAGE_TAG = sh(script: 'git rev-parse HEAD', returnStdout: true).trim()");
    expect(text).toContain('docker push "$IMAGE_REPOSITORY:$IMAGE_TAG"');
    expect(text).toContain('npm run set-image -- "$COMPONENT" "$RELEASED_IMAGE" --env "$DEPLOY_ENV"');
    expect(text).not.toMatch(/:latest\b/);
  });

  test('notifies Discord on success and on failure', () => {
    const post = text.slice(text.lastIndexOf('  post {'));
    expect(post).toMatch(/success \{\s+script \{ notifyDiscord\('success'\) \}/);
    expect(post).toMatch(/failure \{\s+script \{ notifyDiscord\('failure'\) \}/);
  });

  test('uses credentials by id only, and never interpolates a secret in Groovy', () => {
    const ids = [...text.matchAll(/credentialsId: '([^']+)'/g)].map((m) => m[1]);
    expect([...new Set(ids)].sort()).toEqual(['discord-webhook-url', 'gitops-repo', 'registry-credentials']);
    for (const id of ids) expect(text).toContain(`//   ${id} `);
    // Secrets reach the shell as environment variables in single-quoted scripts, so Groovy never
    // sees (or logs) their values.
    for (const secret of ['REGISTRY_PASSWORD', 'DISCORD_WEBHOOK_URL']) {
      expect(text).not.toMatch(new RegExp(`sh\\s*\\(?\\s*"[^"]*\\$\\{?(env\\.)?${secret}`));
    }
    expect(text).not.toMatch(/(password|token|webhook)\s*[:=]\s*'[^']+'/i);
  });
});
