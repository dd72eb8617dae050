/**
 * The example of README "Changing what the constructs do not expose": one environment file
 * (test/fixtures/growth/environments/staging.yaml) that uses component settings, two extra
 * services and patches together. It synthesizes into a tree that passes the whole validation, with
 * each mechanism's effect where the file declares it, and everything else as the same environment
 * without them renders it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { renderTree, validateRendered } from '../app/synthesize';
import { loadEnvironments } from '../lib/environment/load-environments';
import { FIXTURE_ROOT, gitopsConfig } from './support/fixture-project';

const GROWTH_ROOT = path.join(FIXTURE_ROOT, 'growth');
const GROWTH_FILE = path.join(GROWTH_ROOT, 'environments', 'staging.yaml');

/** Renders and validates the environments of a folder as synth does; path → file text. */
function rendered(root: string): Map<string, string> {
  const environments = loadEnvironments(path.join(root, 'environments'), { root });
  const { objects, files } = renderTree(environments, gitopsConfig());
  validateRendered(objects, environments);
  return files;
}

/** A project holding the example file with `keep` applied to its text. */
function variant(keep: (text: string) => string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'growth-'));
  fs.mkdirSync(path.join(root, 'environments'));
  fs.writeFileSync(path.join(root, 'environments', 'staging.yaml'), keep(fs.readFileSync(GROWTH_FILE, 'utf8')));
  return root;
}

/** The text with its top-level `patches:` section removed. */
const withoutPatches = (text: string) => text.slice(0, text.indexOf('\n# What no setting exposes')) + '\n';

describe('an environment grown by settings, services and patches', () => {
  const files = rendered(GROWTH_ROOT);
  const at = (file: string) => {
    const text = files.get(file);
    if (text === undefined) throw new Error(`no ${file}`);
    return parse(text);
  };
  const backend = () => at('envs/staging/backend/Deployment-backend.yaml').spec.template;

  test('the settings reach the backend and frontend pods through the constructs', () => {
    const env = Object.fromEntries(backend().spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env.CHAT_MAX_MESSAGE_BYTES).toBe('8192');
    expect(env.CHAT_PUSH_API_KEY).toEqual({ secretKeyRef: { name: 'push-provider', key: 'api-key' } });
    expect(at('envs/staging/backend/Deployment-backend.yaml').metadata.annotations['external.policy/Secret.push-provider']).toBeDefined();
    expect(backend().metadata.annotations['linkerd.io/inject']).toBe('enabled');
    expect(backend().metadata.labels['example.com/team']).toBe('chat');
    expect(at('envs/staging/backend/Deployment-backend.yaml').spec.selector.matchLabels).not.toHaveProperty('example.com/team');
    expect(backend().spec.containers[0].readinessProbe.periodSeconds).toBe(5);
    const frontend = at('envs/staging/frontend/Deployment-frontend.yaml').spec.template.spec;
    expect(frontend.nodeSelector).toEqual({ 'example.com/pool': 'edge' });
    expect(frontend.tolerations).toEqual([{ key: 'example.com/pool', operator: 'Equal', value: 'edge', effect: 'NoSchedule' }]);
  });

  test('each service is a component with its own Application', () => {
    for (const service of ['media', 'notifier']) {
      expect(files.has(`envs/staging/${service}/Deployment-${service}.yaml`)).toBe(true);
      expect(files.has(`envs/staging/${service}/PodDisruptionBudget-${service}.yaml`)).toBe(true);
      expect(at(`apps/staging/Application-staging-${service}.yaml`).spec.source.path).toBe(`gitops/envs/staging/${service}`);
    }
  });

  test('the patches change what they name, on top of the settings, and say so in the file', () => {
    expect(backend().spec.dnsConfig).toEqual({ options: [{ name: 'ndots', value: '2' }] });
    expect(at('envs/staging/media/HorizontalPodAutoscaler-media.yaml').spec.behavior.scaleUp.policies[0].value).toBe(4);
    expect(files.get('envs/staging/backend/Deployment-backend.yaml')).toMatch(/^# patched by environments\/staging\.yaml:\d+ \(patches\[0\]\.patch\[0\]: add \/spec\/template\/spec\/dnsConfig\)$/m);
  });

  test('without the patches, only the two patched files differ', () => {
    const unpatched = rendered(variant(withoutPatches));
    const differing = [...files.keys()].filter((file) => files.get(file) !== unpatched.get(file));
    expect(differing.sort()).toEqual(['envs/staging/backend/Deployment-backend.yaml', 'envs/staging/media/HorizontalPodAutoscaler-media.yaml']);
    expect([...unpatched.keys()].sort()).toEqual([...files.keys()].sort());
  });
});
