// Patches of environment files (RFC 6902 JSON patches of the rendered objects): what the loader
// refuses on its own, what applying them does to the tree, what it refuses, and what the diff shows.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { applyPatches, PatchError } from '../app/patch';
import { renderApp } from '../app/render';
import { buildApp, renderTree, synthesize, validateRendered } from '../app/synthesize';
import { buildDiffReport, reportJson } from '../lib/diff/diff-report';
import { renderHtml } from '../lib/diff/render-html';
import { renderMarkdown } from '../lib/diff/render-markdown';
import { renderText } from '../lib/diff/render-text';
import { ConfigError } from '../lib/environment/config-error';
import { Environment } from '../lib/environment/environment';
import { loadEnvironments } from '../lib/environment/load-environments';
import { configChecksum } from '../lib/tree/config-checksum';
import { patchOriginsOf } from '../lib/tree/manifest-file';
import { treeObject } from '../lib/tree/tree-object';
import { ValidationError } from '../lib/validation/validation-error';
import { GITOPS_CONFIG, RUN, gitopsConfig } from './support/fixture-project';
import { treeState } from './support/tree-files';

/** The fixture project of this suite: `environments/staging.yaml` with patches. */
const PATCHES_ROOT = path.resolve(__dirname, 'fixtures', 'patches');
const FIXTURE_FILE = path.join(PATCHES_ROOT, 'environments', 'staging.yaml');
const FIXTURE_TEXT = fs.readFileSync(FIXTURE_FILE, 'utf8');
/** The fixture without its patches: what each refused case appends its own `patches:` to. */
const BASE_TEXT = FIXTURE_TEXT.slice(0, FIXTURE_TEXT.indexOf('# JSON patches (RFC 6902) of the rendered objects'));
/** 1-based line of the first line appended to BASE_TEXT. */
const FIRST = BASE_TEXT.split('\n').length;

const DEPLOYMENT = 'envs/staging/backend/Deployment-backend.yaml';
const CONFIG_MAP = 'envs/staging/backend/ConfigMap-backend-config.yaml';
const NAMESPACE = 'envs/staging/platform/Namespace-chat-staging.yaml';

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

/** A scratch project whose environments/staging.yaml is the base fixture followed by `patches`. */
function project(patches: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'patches-test-'));
  scratch.push(root);
  fs.mkdirSync(path.join(root, 'environments'));
  fs.writeFileSync(path.join(root, 'environments', 'staging.yaml'), BASE_TEXT + patches);
  return root;
}

function load(root: string): Environment[] {
  return loadEnvironments(path.join(root, 'environments'), { root });
}

/** The message of what loading, rendering and validating the project throws. */
function refusal(root: string): string {
  try {
    const environments = load(root);
    validateRendered(renderTree(environments, gitopsConfig()).objects, environments);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

const fixtureEnvironments = () => loadEnvironments(path.join(PATCHES_ROOT, 'environments'), { root: PATCHES_ROOT });
/** The fixture's environments without their patches: what the constructs alone make. */
const unpatchedEnvironments = () => fixtureEnvironments().map(({ patches: _patches, ...env }) => env as Environment);

describe('the loader checks patches on their own', () => {
  test('an op outside RFC 6902 and a path that is not a JSON pointer are refused in the usual format', () => {
    const root = project(['patches:', '  - target: { kind: Deployment, name: backend }', '    patch:', '      - op: merge', '        path: spec/replicas', '        value: 3', ''].join('\n'));
    expect(() => load(root)).toThrow(ConfigError);
    expect(refusal(root)).toBe(
      [
        `environments/staging.yaml:${FIRST + 3}:13: patches[0].patch[0].op: "merge" — one of add, remove, replace, move, copy, test (RFC 6902 §4)`,
        `environments/staging.yaml:${FIRST + 4}:15: patches[0].patch[0].path: "spec/replicas" — a JSON pointer (RFC 6901) to a field of the object: "/" before each key or array index, ` +
          `"~1" for a "/" and "~0" for a "~" inside a key, e.g. /spec/template/spec/containers/0/resources/limits/cpu ("/-" appends to a list)`,
      ].join('\n'),
    );
  });

  test('value is required for add, replace and test, and from for move and copy; each refused where it does not belong', () => {
    const root = project(
      [
        'patches:',
        '  - target: { kind: Deployment, name: backend }',
        '    patch:',
        '      - op: replace',
        '        path: /spec/minReadySeconds',
        '      - op: move',
        '        path: /spec/paused',
        '      - op: remove',
        '        path: /spec/paused',
        '        from: /spec/minReadySeconds',
        '        value: 1',
        '',
      ].join('\n'),
    );
    expect(refusal(root)).toBe(
      [
        `environments/staging.yaml:${FIRST + 3}:9: patches[0].patch[0].value: (missing) — required with op "replace": the value to put at path (RFC 6902 §4)`,
        `environments/staging.yaml:${FIRST + 5}:9: patches[0].patch[1].from: (missing) — required with op "move": the JSON pointer of the location to move from (RFC 6902 §4)`,
        `environments/staging.yaml:${FIRST + 9}:15: patches[0].patch[2].from: "/spec/minReadySeconds" — unset with op "remove": only move and copy read from another location (RFC 6902 §4)`,
        `environments/staging.yaml:${FIRST + 10}:16: patches[0].patch[2].value: 1 — unset with op "remove", which takes no value (RFC 6902 §4)`,
      ].join('\n'),
    );
  });

  test("an object's identity and a Deployment's selector are refused, naming why; a Service's selector is not theirs to refuse", () => {
    const root = project(
      [
        'patches:',
        '  - target: { kind: Deployment, name: backend }',
        '    patch:',
        '      - op: replace',
        '        path: /metadata/name',
        '        value: api',
        '      - op: add',
        '        path: /spec/selector/matchLabels/tier',
        '        value: api',
        '      - op: remove',
        '        path: /metadata',
        '      - op: test',
        '        path: /kind',
        '        value: Deployment',
        '  - target: { kind: Service, name: backend }',
        '    patch:',
        '      - op: test',
        '        path: /spec/selector/app.kubernetes.io~1name',
        '        value: backend',
        '',
      ].join('\n'),
    );
    const identity =
      'kind, apiVersion, metadata.name and metadata.namespace are the identity of the object (its file in the tree, its Argo CD resource key, ' +
      'what other objects refer to it by): a patch would make another object and orphan this one';
    expect(refusal(root)).toBe(
      [
        `environments/staging.yaml:${FIRST + 4}:15: patches[0].patch[0].path: "/metadata/name" — not metadata.name or a field holding it: ${identity}`,
        `environments/staging.yaml:${FIRST + 7}:15: patches[0].patch[1].path: "/spec/selector/matchLabels/tier" — not spec.selector or a field holding it: ` +
          "a Deployment's spec.selector is immutable in apps/v1 (the API server refuses the update, so Argo CD could never sync it); change the pods' labels through the construct instead",
        `environments/staging.yaml:${FIRST + 10}:15: patches[0].patch[2].path: "/metadata" — not metadata.name or a field holding it: ${identity}`,
      ].join('\n'),
    );
  });

  test('a loaded environment knows where each patch and operation is written', () => {
    const [env] = fixtureEnvironments();
    expect(env!.patches!.map((p) => [p.at.line, p.patch.map((o) => o.at.line)])).toEqual([
      [FIRST + 2, [FIRST + 4, FIRST + 7, FIRST + 11]],
      [FIRST + 15, [FIRST + 17]],
      [FIRST + 20, [FIRST + 22]],
    ]);
  });
});

describe('the patches of the fixture environment', () => {
  const environments = fixtureEnvironments();
  const { objects, files } = renderTree(environments, gitopsConfig());
  const plain = renderTree(unpatchedEnvironments(), gitopsConfig());
  const manifest = (rel: string) => objects.find((o) => o.path === rel)!.manifest;
  const plainManifest = (rel: string) => plain.objects.find((o) => o.path === rel)!.manifest;

  test('change the objects as declared, and the tree still passes the whole validation', () => {
    const pod = manifest(DEPLOYMENT).spec.template.spec;
    expect(pod.containers[0].resources.limits.cpu).toBe('2');
    expect(plainManifest(DEPLOYMENT).spec.template.spec.containers[0].resources.limits.cpu).toBe('1');
    expect(pod.tolerations).toEqual([{ key: 'workload-class', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }]);
    expect(manifest(CONFIG_MAP).data.LOGGING_LEVEL_ROOT).toBe('WARN');
    // "~1" in a pointer is a "/" in the key (RFC 6901).
    expect(manifest(NAMESPACE).metadata.labels['example.com/team']).toBe('chat');
    expect(validateRendered(objects, environments).findings).toEqual([]);
  });

  test("recompute the checksum of the pod template whose ConfigMap a patch changed, as the construct computes it", () => {
    const checksum = (m: Record<string, any>) => m.spec.template.metadata.annotations['checksum/config'];
    const cm = manifest(CONFIG_MAP);
    expect(checksum(manifest(DEPLOYMENT))).toBe(configChecksum([{ name: 'backend-config', data: cm.data }]));
    expect(checksum(manifest(DEPLOYMENT))).not.toBe(checksum(plainManifest(DEPLOYMENT)));
    // The unpatched annotation is the very checksum recomputed here: were the construct to compute
    // it another way, patches of its ConfigMap would be refused rather than recomputed.
    expect(checksum(plainManifest(DEPLOYMENT))).toBe(configChecksum([{ name: 'backend-config', data: plainManifest(CONFIG_MAP).data }]));
  });

  test('write a header line per applied operation, and the recomputed checksum with its cause', () => {
    const header = (rel: string) => files.get(rel)!.split('\n').filter((l) => l.startsWith('#'));
    expect(header(DEPLOYMENT)).toEqual([
      '# Generated by `npm run synth` from environments/staging.yaml. Do not edit: change the source and re-run.',
      `# patched by environments/staging.yaml:${FIRST + 4} (patches[0].patch[0]: test /spec/template/spec/containers/0/name)`,
      `# patched by environments/staging.yaml:${FIRST + 7} (patches[0].patch[1]: replace /spec/template/spec/containers/0/resources/limits/cpu)`,
      `# patched by environments/staging.yaml:${FIRST + 11} (patches[0].patch[2]: add /spec/template/spec/tolerations)`,
      `# patched by environments/staging.yaml:${FIRST + 17} (patches[1].patch[0]: replace /spec/template/metadata/annotations/checksum~1config, recomputed: ConfigMap backend-config changed)`,
    ]);
    expect(header(NAMESPACE)[1]).toBe(`# patched by environments/staging.yaml:${FIRST + 22} (patches[2].patch[0]: add /metadata/labels/example.com~1team)`);
    expect(patchOriginsOf(files.get(DEPLOYMENT)!)[3]).toEqual({
      file: 'environments/staging.yaml',
      line: FIRST + 17,
      field: 'patches[1].patch[0]',
      op: 'replace',
      path: '/spec/template/metadata/annotations/checksum~1config',
      recomputed: 'ConfigMap backend-config changed',
    });
  });

  test('leave every other file byte-identical to what the constructs alone make', () => {
    const touched = new Set([DEPLOYMENT, CONFIG_MAP, NAMESPACE]);
    expect([...files.keys()].sort()).toEqual([...plain.files.keys()].sort());
    const differing = [...files].filter(([rel, text]) => plain.files.get(rel) !== text).map(([rel]) => rel);
    expect(differing.sort()).toEqual([...touched].sort());
  });

  test('modify none of the rendered objects they are given', () => {
    const rendered = renderApp(buildApp(environments, gitopsConfig()));
    const before = JSON.stringify(rendered.map((o) => o.manifest));
    const patched = applyPatches(rendered, environments);
    expect(JSON.stringify(rendered.map((o) => o.manifest))).toBe(before);
    expect(patched.filter((o, i) => o !== rendered[i]).map((o) => o.path).sort()).toEqual([CONFIG_MAP, DEPLOYMENT, NAMESPACE].sort());
  });
});

describe('applying patches', () => {
  test('"-" appends to a list, and a later operation sees what an earlier one did', () => {
    const root = project(
      [
        'patches:',
        '  - target: { kind: Deployment, name: backend }',
        '    patch:',
        '      - op: add',
        '        path: /spec/template/spec/containers/0/env/-',
        '        value: { name: JAVA_OPTS_EXTRA, value: "-XX:+UseZGC" }',
        '      - op: copy',
        '        from: /spec/template/spec/containers/0/env/0',
        '        path: /spec/template/spec/containers/0/env/-',
        '      - op: replace',
        '        path: /spec/template/spec/containers/0/env/-1',
        '        value: 1',
        '',
      ].join('\n'),
    );
    // "-1" is no index: refused with where the pointer stops, after the first two applied (the
    // list has two more items than the construct made).
    const made = renderTree(unpatchedEnvironments(), gitopsConfig()).objects.find((o) => o.path === DEPLOYMENT)!.manifest.spec.template.spec.containers[0].env.length;
    expect(refusal(root)).toBe(
      `environments/staging.yaml:${FIRST + 9}:9: patches[0].patch[2]: replace /spec/template/spec/containers/0/env/-1 on Deployment chat-staging/backend — ` +
        `the path does not exist (/spec/template/spec/containers/0/env is a list, and "-1" is not an index of it (0 to ${made + 1}))`,
    );
    fs.writeFileSync(path.join(root, 'environments', 'staging.yaml'), BASE_TEXT + ['patches:', '  - target: { kind: Deployment, name: backend }', '    patch:', '      - op: add', '        path: /spec/template/spec/containers/0/env/-', '        value: { name: JAVA_OPTS_EXTRA, value: "-XX:+UseZGC" }', ''].join('\n'));
    const env = renderTree(load(root), gitopsConfig()).objects.find((o) => o.path === DEPLOYMENT)!.manifest.spec.template.spec.containers[0].env;
    expect(env[env.length - 1]).toEqual({ name: 'JAVA_OPTS_EXTRA', value: '-XX:+UseZGC' });
  });

  test('a target two components hold is refused, listing the candidates, until component names one', () => {
    // Two components of one environment holding one kind and name: no chart makes that today, so
    // the objects are built here, with the tree's own constructor.
    const service = (component: string) =>
      treeObject(`envs/dev/${component}/Service-shared.yaml`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'shared', namespace: 'chat-dev' }, spec: { ports: [{ port: 80 }] } }, ['environments/dev.yaml']);
    const objects = [service('backend'), service('frontend')];
    const env = (component?: string) =>
      ({
        name: 'dev',
        file: 'environments/dev.yaml',
        namespace: 'chat-dev',
        patches: [
          {
            target: { kind: 'Service', name: 'shared', ...(component ? { component } : {}) },
            at: { line: 3, column: 13 },
            patch: [{ op: 'replace', path: '/spec/ports/0/port', value: 8080, at: { line: 5, column: 9 } }],
          },
        ],
      }) as unknown as Environment;
    expect(() => applyPatches(objects, [env()])).toThrow(
      new PatchError([
        {
          file: 'environments/dev.yaml',
          line: 3,
          column: 13,
          field: 'patches[0].target',
          operation: 'Service shared',
          reason:
            'the target is ambiguous: it matches 2 objects, envs/dev/backend/… (component backend) and envs/dev/frontend/… (component frontend); set target.component to one of backend and frontend',
        },
      ]),
    );
    expect(() => applyPatches(objects, [env()])).toThrow(
      'environments/dev.yaml:3:13: patches[0].target: Service shared — the target is ambiguous: it matches 2 objects, envs/dev/backend/… (component backend) and envs/dev/frontend/… (component frontend); set target.component to one of backend and frontend',
    );
    const patched = applyPatches(objects, [env('frontend')]);
    expect(patched.map((o) => o.manifest.spec.ports[0].port)).toEqual([80, 8080]);
    expect(() => applyPatches(objects, [env('kafka')])).toThrow(
      'environments/dev.yaml:3:13: patches[0].target: Service shared in component kafka — environment dev has no component "kafka" (its components: backend and frontend)',
    );
  });
});

describe('patches that cannot apply are refused with file, line, target and operation', () => {
  const op = (...lines: string[]) => ['patches:', '  - target: { kind: Deployment, name: backend }', '    patch:', ...lines, ''].join('\n');
  const at = (n: number) => `environments/staging.yaml:${FIRST + n}:9: patches[0].patch[0]`;

  test.each([
    [
      'replace of a missing path',
      op('      - op: replace', '        path: /spec/template/spec/containers/0/resources/limits/ephemeral-storage', '        value: 1Gi'),
      `${at(3)}: replace /spec/template/spec/containers/0/resources/limits/ephemeral-storage on Deployment chat-staging/backend — the path does not exist ` +
        '(/spec/template/spec/containers/0/resources/limits has no key "ephemeral-storage" (it has cpu, memory))',
    ],
    [
      'remove past the end of a list',
      op('      - op: remove', '        path: /spec/template/spec/containers/1'),
      `${at(3)}: remove /spec/template/spec/containers/1 on Deployment chat-staging/backend — the path does not exist ` +
        '(/spec/template/spec/containers is a list of 1 item, and index 1 is past its end)',
    ],
    [
      'remove of an inherited property, which JSON does not have',
      op('      - op: remove', '        path: /spec/toString'),
      `${at(3)}: remove /spec/toString on Deployment chat-staging/backend — the path does not exist ` +
        '(/spec has no key "toString" (it has minReadySeconds, progressDeadlineSeconds, revisionHistoryLimit, selector, strategy, template))',
    ],
    [
      'a failed test',
      op('      - op: test', '        path: /spec/minReadySeconds', '        value: "10"'),
      `${at(3)}: test /spec/minReadySeconds on Deployment chat-staging/backend — the test failed: the value there is 10, not "10"`,
    ],
    [
      'move from a missing path',
      op('      - op: move', '        from: /spec/paused', '        path: /spec/minReadySeconds'),
      `${at(3)}: move /spec/paused to /spec/minReadySeconds on Deployment chat-staging/backend — the from location does not exist ` +
        '(/spec has no key "paused" (it has minReadySeconds, progressDeadlineSeconds, revisionHistoryLimit, selector, strategy, template))',
    ],
    [
      'copy from a missing path',
      op('      - op: copy', '        from: /metadata/annotations/absent', '        path: /metadata/annotations/present'),
      `${at(3)}: copy /metadata/annotations/absent to /metadata/annotations/present on Deployment chat-staging/backend — the from location does not exist ` +
        '(/metadata/annotations has no key "absent" (it has external.policy/Secret.chat-db-credentials, external.policy/Secret.regcred))',
    ],
    [
      'add under a missing parent',
      op('      - op: add', '        path: /spec/template/spec/affinity/nodeAffinity', '        value: {}'),
      `${at(3)}: add /spec/template/spec/affinity/nodeAffinity on Deployment chat-staging/backend — the path's parent does not exist ` +
        '(/spec/template/spec has no key "affinity" (it has automountServiceAccountToken, containers, imagePullSecrets, priorityClassName, securityContext, ' +
        'serviceAccountName, terminationGracePeriodSeconds, topologySpreadConstraints, volumes))',
    ],
    [
      'a direct write of the derived checksum',
      op('      - op: replace', '        path: /spec/template/metadata/annotations/checksum~1config', '        value: "0"'),
      `${at(3)}: replace /spec/template/metadata/annotations/checksum~1config on Deployment chat-staging/backend — the checksum/config annotation is derived ` +
        'from the ConfigMaps the pods read, and synth recomputes it after the patches: patch the ConfigMap instead',
    ],
  ])('%s', (_name, patches, message) => {
    expect(refusal(project(patches))).toBe(message);
  });

  test('a target matching no object is refused, naming the objects of its kind', () => {
    const root = project(['patches:', '  - target: { kind: Deployment, name: api }', '    patch:', '      - op: remove', '        path: /spec/paused', ''].join('\n'));
    expect(refusal(root)).toBe(
      `environments/staging.yaml:${FIRST + 1}:13: patches[0].target: Deployment api — no object of environment staging matches: kind Deployment, name api, ` +
        "namespace chat-staging (the environment's; or none, for a cluster-scoped kind) " +
        '(its Deployment objects: Deployment chat-staging/backend (component backend) and Deployment chat-staging/frontend (component frontend))',
    );
  });

  test('a ConfigMap whose checksum cannot be recomputed is refused: the pods would not roll', () => {
    const root = project(['patches:', '  - target: { kind: ConfigMap, name: kafka-config }', '    patch:', '      - op: replace', '        path: /data/log4j.properties', '        value: "log4j.rootLogger=DEBUG, stdout"', ''].join('\n'));
    expect(refusal(root)).toBe(
      `environments/staging.yaml:${FIRST + 3}:9: patches[0].patch[0]: replace /data/log4j.properties on ConfigMap chat-staging/kafka-config — this changes what the ` +
        'checksum/config annotation of StatefulSet chat-staging/kafka is computed from, and that annotation is not the checksum of the ConfigMaps its pods read ' +
        "(its construct computes it its own way), so it cannot be recomputed and the pods would not roll onto the change; change this through the environment's settings or the construct instead",
    );
  });
});

describe('patched objects go through the whole validation', () => {
  const patchOf = (...lines: string[]) => project(['patches:', '  - target: { kind: Deployment, name: backend }', '    patch:', ...lines, ''].join('\n'));

  test('a privileged container is refused by the API server rules and the policy', () => {
    const root = patchOf('      - op: add', '        path: /spec/template/spec/containers/0/securityContext/privileged', '        value: true');
    expect(() => validateRendered(renderTree(load(root), gitopsConfig()).objects, load(root))).toThrow(ValidationError);
    const message = refusal(root);
    expect(message).toContain(
      'staging/backend Deployment/backend [POD-NO-PRIVILEGE-ESCALATION] spec.template.spec.containers[0].securityContext.privileged: container "backend" allows privilege escalation',
    );
    expect(message).toContain(
      'staging/backend Deployment/backend [API-POD-SPEC] spec.template.spec.containers[0].securityContext: Invalid value: ' +
        '{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},"readOnlyRootFilesystem":true,"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"},"privileged":true}: ' +
        'cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
    );
  });

  test("a hostPath volume and a host port are refused by the Pod Security policy", () => {
    const root = patchOf(
      '      - op: add',
      '        path: /spec/template/spec/volumes/-',
      '        value: { name: node-logs, hostPath: { path: /var/log } }',
      '      - op: add',
      '        path: /spec/template/spec/containers/0/ports/0/hostPort',
      '        value: 8080',
    );
    const message = refusal(root);
    expect(message).toMatch(
      /staging\/backend Deployment\/backend \[POD-VOLUME-TYPES\] spec\.template\.spec\.volumes\[\d+\]\.hostPath: volume "node-logs" is of type hostPath, which restricted Pod Security refuses/,
    );
    expect(message).toContain('staging/backend Deployment/backend [POD-HOST-ACCESS] spec.template.spec.containers[0].ports[0].hostPort: container "backend" binds host port 8080');
  });

  test('an image tagged latest is refused by the pinning policy', () => {
    const root = patchOf('      - op: replace', '        path: /spec/template/spec/containers/0/image', '        value: registry.example.com/chat/backend:latest');
    expect(refusal(root)).toContain(
      'staging/backend Deployment/backend [IMAGE-PINNED] spec.template.spec.containers[0].image: container "backend" image "registry.example.com/chat/backend:latest": ' +
        'the tag "latest" is refused: it moves with every push, so deployments are not reproducible',
    );
  });
});

describe('a refused patch leaves gitops/ untouched', () => {
  const bad = ['patches:', '  - target: { kind: Deployment, name: backend }', '    patch:', '      - op: replace', '        path: /spec/paused', '        value: true', ''].join('\n');
  const privileged = ['patches:', '  - target: { kind: Deployment, name: backend }', '    patch:', '      - op: add', '        path: /spec/template/spec/containers/0/securityContext/privileged', '        value: true', ''].join('\n');

  test.each([
    ['a patch that does not apply', bad, PatchError],
    ['a patch whose result fails validation', privileged, ValidationError],
  ])('%s', (_name, patches, error) => {
    const root = project('');
    synthesize({ root, gitopsConfig: GITOPS_CONFIG });
    const before = treeState(path.join(root, 'gitops'));
    expect(before.size).toBeGreaterThan(40);
    fs.writeFileSync(path.join(root, 'environments', 'staging.yaml'), BASE_TEXT + patches);
    expect(() => synthesize({ root, gitopsConfig: GITOPS_CONFIG })).toThrow(error);
    expect(treeState(path.join(root, 'gitops'))).toEqual(before);
  });

  test('npm run synth applies patches from its bundle, then exits 1 with a refusal and writes nothing', () => {
    const root = project(FIXTURE_TEXT.slice(BASE_TEXT.length));
    fs.copyFileSync(GITOPS_CONFIG, path.join(root, 'gitops.config.yaml'));
    const good = spawnSync(process.execPath, [RUN, 'main'], { cwd: root, encoding: 'utf8' });
    expect(good.stderr).toBe('');
    expect(good.status).toBe(0);
    expect(fs.readFileSync(path.join(root, 'gitops', DEPLOYMENT), 'utf8')).toBe(renderTree(fixtureEnvironments(), gitopsConfig()).files.get(DEPLOYMENT));
    const before = treeState(path.join(root, 'gitops'));
    fs.writeFileSync(path.join(root, 'environments', 'staging.yaml'), BASE_TEXT + bad);
    const run = spawnSync(process.execPath, [RUN, 'main'], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `environments/staging.yaml:${FIRST + 3}:9: patches[0].patch[0]: replace /spec/paused on Deployment chat-staging/backend — the path does not exist ` +
        '(/spec has no key "paused" (it has minReadySeconds, progressDeadlineSeconds, revisionHistoryLimit, selector, strategy, template))\n' +
        'synth: nothing written; gitops/ is unchanged\n',
    );
    expect(treeState(path.join(root, 'gitops'))).toEqual(before);
  }, 180_000);
});

describe('the diff shows values from patches as coming from them', () => {
  const base = renderTree(unpatchedEnvironments(), gitopsConfig()).files;
  const head = renderTree(fixtureEnvironments(), gitopsConfig()).files;
  const report = buildDiffReport(base, head, { base: 'HEAD', head: 'working tree' });
  const cpu = `environments/staging.yaml:${FIRST + 7} patches[0].patch[1]`;

  test('each changed value under a patched path names its operation; other changes name none', () => {
    const deployment = report.changes.find((c) => c.after?.path === DEPLOYMENT)!;
    expect(deployment.patched!.map((p) => [p.field, p.before, p.after, `${p.origin.file}:${p.origin.line} ${p.origin.field}`])).toEqual([
      ['spec.template.metadata.annotations.checksum/config', expect.any(String), expect.any(String), `environments/staging.yaml:${FIRST + 17} patches[1].patch[0]`],
      ['spec.template.spec.containers[backend].resources.limits.cpu', '1', '2', cpu],
      ['spec.template.spec.tolerations[0].key', '(unset)', 'workload-class', `environments/staging.yaml:${FIRST + 11} patches[0].patch[2]`],
      ['spec.template.spec.tolerations[0].operator', '(unset)', 'Equal', `environments/staging.yaml:${FIRST + 11} patches[0].patch[2]`],
      ['spec.template.spec.tolerations[0].value', '(unset)', 'spot', `environments/staging.yaml:${FIRST + 11} patches[0].patch[2]`],
      ['spec.template.spec.tolerations[0].effect', '(unset)', 'NoSchedule', `environments/staging.yaml:${FIRST + 11} patches[0].patch[2]`],
    ]);
    expect(report.changes.map((c) => c.after!.path).sort()).toEqual([CONFIG_MAP, DEPLOYMENT, NAMESPACE].sort());
  });

  test('in the text, markdown, html and json reports', () => {
    const line = `spec.template.spec.containers[backend].resources.limits.cpu: 1 → 2 by ${cpu}`;
    expect(renderText(report)).toContain(`      patched ${line}\n`);
    expect(renderMarkdown(report)).toContain(`| staging/backend Deployment chat-staging/backend | spec.template.spec.containers\\[backend\\].resources.limits.cpu | 1 → 2 | ${cpu.replace(/[[\]]/g, '\\$&')} |`);
    expect(renderHtml(report)).toContain(`<tr><td><code>spec.template.spec.containers[backend].resources.limits.cpu</code></td><td>1 → 2</td><td>${cpu}</td></tr>`);
    const json = JSON.parse(reportJson(report));
    const resource = json.resources.find((r: { path: string }) => r.path === DEPLOYMENT);
    expect(resource.patched[1]).toEqual({
      field: 'spec.template.spec.containers[backend].resources.limits.cpu',
      before: '1',
      after: '2',
      origin: { file: 'environments/staging.yaml', line: FIRST + 7, field: 'patches[0].patch[1]', op: 'replace', path: '/spec/template/spec/containers/0/resources/limits/cpu' },
    });
    expect(renderText(report)).toContain(`patched spec.template.metadata.annotations.checksum/config:`);
    expect(renderText(report)).toContain(`(recomputed: ConfigMap backend-config changed)`);
  });

  test('a tree without patches reports no patched values', () => {
    const plain = buildDiffReport(base, base, { base: 'HEAD', head: 'working tree' });
    expect(plain.changes).toEqual([]);
    expect(parse(base.get(DEPLOYMENT)!)).toBeTruthy();
    expect(patchOriginsOf(base.get(DEPLOYMENT)!)).toEqual([]);
  });
});
