import { stringify } from 'yaml';
import { buildDiffReport } from '../lib/diff/diff-report';
import { Redactor } from '../lib/diff/redact';

function secret(data: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'chat-dev' }, type: 'Opaque', data };
}

function deploymentWithEnv(env: Record<string, string>[]) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'backend', namespace: 'chat-dev' },
    spec: {
      selector: { matchLabels: { app: 'backend' } },
      template: { metadata: { labels: { app: 'backend' } }, spec: { containers: [{ name: 'backend', image: 'x/backend:1', env }] } },
    },
  };
}

function patchOf(before: Record<string, any>, after: Record<string, any>): string {
  const file = `envs/dev/backend/${after.kind}-${after.metadata.name}.yaml`;
  const report = buildDiffReport(new Map([[file, stringify(before)]]), new Map([[file, stringify(after)]]), { base: 'base', head: 'new' });
  expect(report.changes).toHaveLength(1);
  return report.changes[0]!.patch;
}

describe('redaction of secret values in diffs', () => {
  test('every value of a Secret is hidden, and a changed value still shows as changed', () => {
    const patch = patchOf(secret({ username: 'YWRtaW4=', password: 'aHVudGVyMg==' }), secret({ username: 'YWRtaW4=', password: 'czNjcjN0' }));
    expect(patch).not.toMatch(/YWRtaW4=|aHVudGVyMg==|czNjcjN0/);
    expect(patch).toContain('-  password: <redacted-2>\n+  password: <redacted-3>');
    expect(patch).toContain('   username: <redacted-1>');
  });

  test('an env var whose name says it is a secret is hidden; others stay readable', () => {
    const patch = patchOf(
      deploymentWithEnv([{ name: 'DB_PASSWORD', value: 'hunter2' }, { name: 'LOG_LEVEL', value: 'info' }]),
      deploymentWithEnv([{ name: 'DB_PASSWORD', value: 'hunter3' }, { name: 'LOG_LEVEL', value: 'debug' }]),
    );
    expect(patch).not.toMatch(/hunter[23]/);
    expect(patch).toMatch(/-\s+value: <redacted-1>\n/);
    expect(patch).toMatch(/\+\s+value: <redacted-2>\n/);
    expect(patch).toMatch(/-\s+value: info\n/);
    expect(patch).toMatch(/\+\s+value: debug\n/);
  });

  test('a credential-looking value is hidden wherever it appears', () => {
    const webhook = 'https://discord.com/api/webhooks/123456789/abcdefghijklmnopqrstuvwxyz';
    const configMap = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'notify', namespace: 'chat-dev' }, data });
    const patch = patchOf(configMap({ target: 'none' }), configMap({ target: webhook, url: 'postgres://chat:s3cret@db:5432/chat' }));
    expect(patch).not.toContain('abcdefghijklmnopqrstuvwxyz');
    expect(patch).not.toContain('s3cret');
    expect(patch).toContain('+  target: <redacted-1>');
    expect(patch).toContain('+  url: <redacted-2>');
  });

  test('names of Secrets are not secrets and stay readable', () => {
    const redacted = new Redactor().redact({
      kind: 'Ingress',
      metadata: { annotations: { 'external.policy/Secret.chat-tls': 'issued by cert-manager' } },
      spec: { tls: [{ hosts: ['chat.example.com'], secretName: 'chat-tls' }] },
    });
    expect(redacted.spec.tls[0].secretName).toBe('chat-tls');
    expect(redacted.metadata.annotations['external.policy/Secret.chat-tls']).toBe('issued by cert-manager');
  });

  test('redaction leaves the manifest it is given untouched', () => {
    const original = secret({ token: 'dG9rZW4=' });
    const copy = structuredClone(original);
    new Redactor().redact(original);
    expect(original).toEqual(copy);
  });
});
