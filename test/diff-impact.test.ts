import { stringify } from 'yaml';
import { buildDiffReport, DiffReport } from '../lib/diff/diff-report';
import { GroupImpact } from '../lib/diff/rollout-impact';

/** A tree as files, from `path → manifest`. */
function tree(objects: Record<string, Record<string, any>>): Map<string, string> {
  return new Map(Object.entries(objects).map(([p, m]) => [p, `# header\n${stringify(m)}`]));
}

function deployment(name: string, options: { image?: string; replicas?: number; strategy?: Record<string, any>; selector?: Record<string, string>; env?: Record<string, any>[] } = {}) {
  const labels = options.selector ?? { 'app.kubernetes.io/name': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'chat-prod' },
    spec: {
      ...(options.replicas !== undefined ? { replicas: options.replicas } : {}),
      selector: { matchLabels: labels },
      strategy: options.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': name } },
        spec: { containers: [{ name, image: options.image ?? `registry.example.com/chat/${name}:1.0.0`, ...(options.env ? { env: options.env } : {}) }] },
      },
    },
  };
}

function hpa(name: string, min: number, max: number) {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: 'chat-prod' },
    spec: { minReplicas: min, maxReplicas: max, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name } },
  };
}

function pdb(name: string) {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: 'chat-prod' },
    spec: { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': name } } },
  };
}

function kafka(options: { replicas?: number; storage?: string; image?: string; partition?: number } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'kafka', namespace: 'chat-prod' },
    spec: {
      replicas: options.replicas ?? 3,
      serviceName: 'kafka-headless',
      selector: { matchLabels: { 'app.kubernetes.io/name': 'kafka' } },
      ...(options.partition !== undefined ? { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: options.partition } } } : {}),
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'kafka' } },
        spec: { containers: [{ name: 'kafka', image: options.image ?? 'apache/kafka:3.7.1' }] },
      },
      volumeClaimTemplates: [
        { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: options.storage ?? '100Gi' } } } },
      ],
    },
  };
}

const PATH = {
  deployment: 'envs/prod/backend/Deployment-backend.yaml',
  hpa: 'envs/prod/backend/HorizontalPodAutoscaler-backend.yaml',
  pdb: 'envs/prod/backend/PodDisruptionBudget-backend.yaml',
  kafka: 'envs/prod/kafka/StatefulSet-kafka.yaml',
};

function report(base: Record<string, Record<string, any>>, head: Record<string, Record<string, any>>): DiffReport {
  return buildDiffReport(tree(base), tree(head), { base: 'base', head: 'new' });
}

function only(r: DiffReport, environment: string, component: string): GroupImpact {
  const g = r.impact.groups.find((x) => x.environment === environment && x.component === component);
  if (!g) throw new Error(`no impact group ${environment}/${component}: ${r.impact.groups.map((x) => `${x.environment}/${x.component}`).join(', ')}`);
  return g;
}

describe('rollout impact', () => {
  test('an image change rolls the HPA minimum of pods within maxSurge and maxUnavailable', () => {
    const r = report(
      { [PATH.deployment]: deployment('backend'), [PATH.hpa]: hpa('backend', 3, 8) },
      { [PATH.deployment]: deployment('backend', { image: 'registry.example.com/chat/backend:1.1.0' }), [PATH.hpa]: hpa('backend', 3, 8) },
    );
    const g = only(r, 'prod', 'backend');
    expect(g.images).toEqual([
      { resource: 'Deployment/backend', container: 'backend', before: 'registry.example.com/chat/backend:1.0.0', after: 'registry.example.com/chat/backend:1.1.0' },
    ]);
    expect(g.workloads).toEqual([
      expect.objectContaining({ resource: 'Deployment/backend', rolls: true, reasons: ['image of backend'], pods: 3, podsMax: 8, podsReplaced: 3, floor: 3, ceiling: 4 }),
    ]);
  });

  test('spec.replicas, when set, is the number of pods replaced', () => {
    const r = report({ [PATH.deployment]: deployment('backend', { replicas: 5 }) }, { [PATH.deployment]: deployment('backend', { replicas: 5, image: 'x/backend:2' }) });
    expect(only(r, 'prod', 'backend').workloads[0]).toMatchObject({ podsFrom: 'spec.replicas', podsReplaced: 5, floor: 5, ceiling: 6 });
  });

  test('percentages round as the Deployment controller rounds them: surge up, unavailability down', () => {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
    const r = report(
      { [PATH.deployment]: deployment('backend', { replicas: 6, strategy }) },
      { [PATH.deployment]: deployment('backend', { replicas: 6, strategy, image: 'x/backend:2' }) },
    );
    // 25% of 6 = 1.5: 2 extra pods may start, 1 may be unavailable.
    expect(only(r, 'prod', 'backend').workloads[0]).toMatchObject({ floor: 5, ceiling: 8 });
  });

  test('a Deployment whose pod template is unchanged does not roll, even when its HPA changes', () => {
    const r = report(
      { [PATH.deployment]: deployment('backend'), [PATH.hpa]: hpa('backend', 2, 4) },
      { [PATH.deployment]: deployment('backend'), [PATH.hpa]: hpa('backend', 2, 6) },
    );
    const g = only(r, 'prod', 'backend');
    expect(g.workloads).toEqual([expect.objectContaining({ resource: 'Deployment/backend', status: 'unchanged', rolls: false, podsReplaced: 0 })]);
    expect(g.changes).toEqual([{ kind: 'hpa', resource: 'HorizontalPodAutoscaler/backend', text: 'HPA 2–4 → 2–6 pods: max 4 → 6' }]);
    expect(g.images).toEqual([]);
  });

  test('raising the HPA minimum says the workload scales up', () => {
    const r = report({ [PATH.deployment]: deployment('backend'), [PATH.hpa]: hpa('backend', 2, 4) }, { [PATH.deployment]: deployment('backend'), [PATH.hpa]: hpa('backend', 3, 4) });
    expect(only(r, 'prod', 'backend').changes[0]!.text).toBe('HPA 2–4 → 3–4 pods: min 2 → 3 (scales up to at least 3 pods)');
  });

  test('a selector change is a warning', () => {
    const r = report(
      { [PATH.deployment]: deployment('backend') },
      { [PATH.deployment]: deployment('backend', { selector: { 'app.kubernetes.io/name': 'backend', tier: 'api' } }) },
    );
    expect(only(r, 'prod', 'backend').warnings).toEqual([
      expect.objectContaining({ resource: 'Deployment/backend', text: expect.stringMatching(/^spec\.selector changes .*immutable, so Kubernetes rejects the update/) }),
    ]);
  });

  test('maxUnavailable above 0 on a rolling Deployment is a warning', () => {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } };
    const r = report(
      { [PATH.deployment]: deployment('backend', { replicas: 4 }) },
      { [PATH.deployment]: deployment('backend', { replicas: 4, strategy }) },
    );
    expect(only(r, 'prod', 'backend').warnings).toEqual([
      { resource: 'Deployment/backend', text: 'maxUnavailable 1: the rollout takes up to 1 pod of 4 out of service before replacements are ready' },
    ]);
  });

  test('a Recreate strategy that rolls pods is a warning about downtime', () => {
    const strategy = { type: 'Recreate' };
    const file = 'envs/dev/backend/Deployment-backend.yaml';
    const r = report(
      { [file]: deployment('backend', { replicas: 2, strategy }) },
      { [file]: deployment('backend', { replicas: 2, strategy, image: 'x/backend:2' }) },
    );
    const g = only(r, 'dev', 'backend');
    expect(g.workloads[0]).toMatchObject({ rolls: true, floor: 0, ceiling: 2 });
    expect(g.warnings.map((w) => w.text)).toEqual(['strategy Recreate stops all 2 pods before any new one starts: downtime']);
  });

  test('a removed PDB is a warning while its workload still runs', () => {
    const r = report({ [PATH.deployment]: deployment('backend'), [PATH.pdb]: pdb('backend') }, { [PATH.deployment]: deployment('backend') });
    expect(only(r, 'prod', 'backend').warnings).toEqual([
      { resource: 'PodDisruptionBudget/backend', text: 'PDB removed while Deployment/backend still runs: a node drain or cluster upgrade may evict all its pods at once' },
    ]);
  });

  test('a PDB removed together with its workload is no warning', () => {
    const r = report({ [PATH.deployment]: deployment('backend'), [PATH.pdb]: pdb('backend') }, {});
    const g = only(r, 'prod', 'backend');
    expect(g.warnings).toEqual([]);
    expect(g.workloads).toEqual([expect.objectContaining({ resource: 'Deployment/backend', status: 'removed', rolls: false })]);
  });

  test('a StatefulSet rolls one pod at a time, and only the ordinals at or above its partition', () => {
    const r = report({ [PATH.kafka]: kafka({ partition: 1 }) }, { [PATH.kafka]: kafka({ partition: 1, image: 'apache/kafka:3.8.0' }) });
    expect(only(r, 'prod', 'kafka').workloads[0]).toMatchObject({ rolls: true, pods: 3, podsReplaced: 2, floor: 2, ceiling: 3 });
  });

  test('a rollout that leaves no pod serving is a warning about downtime', () => {
    const r = report({ [PATH.kafka]: kafka({ replicas: 1 }) }, { [PATH.kafka]: kafka({ replicas: 1, image: 'apache/kafka:3.8.0' }) });
    const g = only(r, 'prod', 'kafka');
    expect(g.workloads[0]).toMatchObject({ rolls: true, floor: 0, ceiling: 1 });
    expect(g.warnings.map((w) => w.text)).toContain('its only pod is replaced with none serving meanwhile: downtime');
  });

  test('a Kafka broker count change is a warning', () => {
    const r = report({ [PATH.kafka]: kafka({ replicas: 3 }) }, { [PATH.kafka]: kafka({ replicas: 5 }) });
    const g = only(r, 'prod', 'kafka');
    expect(g.changes).toEqual([{ kind: 'scale', resource: 'StatefulSet/kafka', text: 'replicas 3 → 5' }]);
    expect(g.warnings).toEqual([expect.objectContaining({ resource: 'StatefulSet/kafka', text: expect.stringMatching(/^Kafka brokers 3 → 5: new brokers get no partitions/) })]);
    expect(g.workloads[0]).toMatchObject({ rolls: false });
  });

  test('a volumeClaimTemplates storage change is a warning that the sync will fail', () => {
    const r = report({ [PATH.kafka]: kafka() }, { [PATH.kafka]: kafka({ storage: '200Gi' }) });
    expect(only(r, 'prod', 'kafka').warnings).toEqual([
      expect.objectContaining({ text: expect.stringMatching(/^volumeClaimTemplates change \(storage data 100Gi → 200Gi\): Kubernetes rejects/) }),
    ]);
  });

  test('a prod image that staging runs in neither tree is a warning; one it runs is not', () => {
    const staging = 'envs/staging/backend/Deployment-backend.yaml';
    const base = { [PATH.deployment]: deployment('backend'), [staging]: deployment('backend', { image: 'registry.example.com/chat/backend:1.1.0' }) };
    const tested = report(base, { ...base, [PATH.deployment]: deployment('backend', { image: 'registry.example.com/chat/backend:1.1.0' }) });
    expect(only(tested, 'prod', 'backend').warnings).toEqual([]);
    const untested = report(base, { ...base, [PATH.deployment]: deployment('backend', { image: 'registry.example.com/chat/backend:1.2.0' }) });
    expect(only(untested, 'prod', 'backend').warnings).toEqual([
      { resource: 'Deployment/backend', text: 'prod image registry.example.com/chat/backend:1.2.0 has not run in staging (neither in the base nor in this change)' },
    ]);
  });

  test('a changed image in staging itself is no promotion warning', () => {
    const staging = 'envs/staging/backend/Deployment-backend.yaml';
    const r = report({ [staging]: deployment('backend') }, { [staging]: deployment('backend', { image: 'registry.example.com/chat/backend:5.0.0' }) });
    expect(only(r, 'staging', 'backend').warnings).toEqual([]);
  });

  test('Ingress routes and TLS hosts are listed as added and removed', () => {
    const ingress = (paths: string[], host: string) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'frontend', namespace: 'chat-prod' },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: [host], secretName: 'tls' }],
        rules: [{ host, http: { paths: paths.map((p) => ({ path: p, pathType: 'Prefix', backend: { service: { name: 'frontend', port: { number: 80 } } } })) } }],
      },
    });
    const file = 'envs/prod/frontend/Ingress-frontend.yaml';
    const r = report({ [file]: ingress(['/'], 'chat.example.com') }, { [file]: ingress(['/', '/files'], 'chat.example.org') });
    expect(only(r, 'prod', 'frontend').changes).toEqual([
      {
        kind: 'ingress',
        resource: 'Ingress/frontend',
        text:
          'Ingress: + chat.example.org/ → frontend:80 (Prefix); + chat.example.org/files → frontend:80 (Prefix); ' +
          '- chat.example.com/ (was → frontend:80 (Prefix)); + TLS chat.example.org (tls); - TLS chat.example.com (tls)',
      },
    ]);
  });

  test('a NetworkPolicy change says what it allows before and after', () => {
    const policy = (port: number) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'backend-to-kafka', namespace: 'chat-prod' },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'backend' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kafka' } } }], ports: [{ protocol: 'TCP', port }] }],
      },
    });
    const file = 'envs/prod/backend/NetworkPolicy-backend-to-kafka.yaml';
    const r = report({ [file]: policy(9092) }, { [file]: policy(9094) });
    expect(only(r, 'prod', 'backend').changes).toEqual([
      {
        kind: 'network-policy',
        resource: 'NetworkPolicy/backend-to-kafka',
        text: 'NetworkPolicy pods name=backend: egress to pods name=kafka on TCP 9092 → pods name=backend: egress to pods name=kafka on TCP 9094',
      },
    ]);
  });

  describe('Argo CD Applications', () => {
    const app = (syncPolicy: Record<string, any> | undefined, finalizers?: string[]) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'chat-prod-backend', namespace: 'argocd', ...(finalizers ? { finalizers } : {}) },
      spec: {
        project: 'chat-platform',
        source: { repoURL: 'https://github.com/example/chat-platform.git', path: 'gitops/envs/prod/backend', targetRevision: 'main' },
        destination: { name: 'prod', namespace: 'chat-prod' },
        ...(syncPolicy ? { syncPolicy } : {}),
      },
    });
    const file = 'apps/prod/Application-chat-prod-backend.yaml';

    test('sync policy changes are listed, grouped under the environment', () => {
      const r = report({ [file]: app({ automated: { prune: false, selfHeal: true } }) }, { [file]: app({ automated: { prune: true, selfHeal: true } }) });
      expect(only(r, 'prod', 'apps').changes).toEqual([
        { kind: 'sync-policy', resource: 'Application/chat-prod-backend', text: 'sync policy: automated.prune: false → true' },
      ]);
    });

    test('turning automated sync off is a warning', () => {
      const r = report({ [file]: app({ automated: { prune: true } }) }, { [file]: app(undefined) });
      expect(only(r, 'prod', 'apps').warnings.map((w) => w.text)).toEqual([
        'automated sync is turned off: the cluster stops following git until someone syncs by hand',
      ]);
    });

    test('removing an Application with the resources finalizer warns that its resources are deleted', () => {
      const r = report({ [file]: app({ automated: {} }, ['resources-finalizer.argocd.argoproj.io']) }, {});
      expect(only(r, 'prod', 'apps').warnings.map((w) => w.text)).toEqual([
        'Application removed with the resources finalizer: Argo CD deletes every resource it manages',
      ]);
    });
  });

  test('a Job whose pod template changes warns unless Argo CD replaces it', () => {
    const job = (image: string, annotations?: Record<string, string>) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'kafka-topics', namespace: 'chat-prod', ...(annotations ? { annotations } : {}) },
      spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'topics', image }] } } },
    });
    const file = 'envs/dev/kafka/Job-kafka-topics.yaml';
    const plain = report({ [file]: job('apache/kafka:3.7.1') }, { [file]: job('apache/kafka:3.8.0') });
    expect(only(plain, 'dev', 'kafka').warnings.map((w) => w.text)).toEqual([expect.stringMatching(/^the pod template of a Job is immutable/)]);
    const hook = { 'argocd.argoproj.io/hook': 'Sync' };
    const hooked = report({ [file]: job('apache/kafka:3.7.1', hook) }, { [file]: job('apache/kafka:3.8.0', hook) });
    expect(only(hooked, 'dev', 'kafka').warnings).toEqual([]);
  });

  test('only components with a changed resource appear, in environment and component order', () => {
    const r = report(
      { 'envs/staging/frontend/HorizontalPodAutoscaler-frontend.yaml': hpa('frontend', 2, 4), [PATH.hpa]: hpa('backend', 2, 4), [PATH.kafka]: kafka() },
      { 'envs/staging/frontend/HorizontalPodAutoscaler-frontend.yaml': hpa('frontend', 2, 5), [PATH.hpa]: hpa('backend', 2, 5), [PATH.kafka]: kafka() },
    );
    expect(r.impact.groups.map((g) => `${g.environment}/${g.component}`)).toEqual(['prod/backend', 'staging/frontend']);
    expect(r.counts).toEqual({ added: 0, removed: 0, changed: 2, warnings: 0 });
  });

  test('a header comment or key order is no change', () => {
    const m = deployment('backend');
    const reordered = { spec: m.spec, metadata: m.metadata, kind: m.kind, apiVersion: m.apiVersion };
    const r = buildDiffReport(
      new Map([[PATH.deployment, `# from environments/prod.yaml\n${stringify(m)}`]]),
      new Map([[PATH.deployment, `# from elsewhere\n${stringify(reordered)}`]]),
      { base: 'base', head: 'new' },
    );
    expect(r.changes).toEqual([]);
  });
});
