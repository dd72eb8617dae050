import { Chart, Testing } from 'cdk8s';
import { testChart } from './support/test-chart';
import { KubeConfigMap } from '../imports/k8s';
import { PRE_STOP_SLEEP, WebService, WebServiceProps } from '../constructs/web-service';

const baseProps: WebServiceProps = {
  name: 'api',
  image: 'registry.example.com/shop/api:2.0.1',
  version: '2.0.1',
  readinessProbe: { path: '/ready' },
  livenessProbe: { path: '/live' },
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
};

function synth(props: Partial<WebServiceProps> = {}, extra?: (chart: Chart) => Partial<WebServiceProps>) {
  const chart = testChart();
  new WebService(chart, 'svc', { ...baseProps, ...props, ...(extra ? extra(chart) : {}) });
  const manifests = Testing.synth(chart);
  const byKind = (kind: string) => {
    const found = manifests.filter((m) => m.kind === kind);
    expect(found).toHaveLength(1);
    return found[0];
  };
  return { manifests, byKind };
}

describe('WebService', () => {
  test('creates exactly a Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget and ServiceAccount', () => {
    const { manifests } = synth();
    expect(manifests.map((m) => `${m.apiVersion} ${m.kind} ${m.metadata.name}`).sort()).toEqual([
      'apps/v1 Deployment api',
      'autoscaling/v2 HorizontalPodAutoscaler api',
      'policy/v1 PodDisruptionBudget api',
      'v1 Service api',
      'v1 ServiceAccount api',
    ]);
    for (const m of manifests) expect(m.metadata.namespace).toBe('shop');
  });

  test('rolls out one surge pod at a time and never removes a pod before its replacement is ready', () => {
    const spec = synth().byKind('Deployment').spec;
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(spec.minReadySeconds).toBeGreaterThan(0);
    expect(spec.progressDeadlineSeconds).toBe(600);
    expect(spec.revisionHistoryLimit).toBeGreaterThanOrEqual(3);
  });

  test('leaves spec.replicas to the HorizontalPodAutoscaler', () => {
    expect(synth().byKind('Deployment').spec).not.toHaveProperty('replicas');
  });

  test('probes readiness, liveness and startup on the configured paths through the named http port', () => {
    const container = synth().byKind('Deployment').spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/live', port: 'http' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/live', port: 'http' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  });

  test('probes a numeric port as a number', () => {
    const container = synth({ readinessProbe: { path: '/ready', port: 9090 } }).byKind('Deployment').spec.template.spec
      .containers[0];
    expect(container.readinessProbe.httpGet.port).toBe(9090);
  });

  test('drains before stopping: a preStop delay shorter than the termination grace period', () => {
    const pod = synth({ preStopDelaySeconds: 15 }).byKind('Deployment').spec.template.spec;
    expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual(['/bin/sleep', '15']);
    expect(pod.terminationGracePeriodSeconds).toBe(45);
  });

  test('the pre-stop sleep is named by absolute path, so it does not depend on the image\'s PATH', () => {
    const command = synth().byKind('Deployment').spec.template.spec.containers[0].lifecycle.preStop.exec.command;
    expect(command).toEqual(['/bin/sleep', '10']);
    expect(command[0]).toBe(PRE_STOP_SLEEP);
  });

  test('runs a given pre-stop command instead of the sleep', () => {
    const container = synth({ preStopCommand: ['/app/drain', '--wait=10'] }).byKind('Deployment').spec.template.spec.containers[0];
    expect(container.lifecycle).toEqual({ preStop: { exec: { command: ['/app/drain', '--wait=10'] } } });
  });

  test('a pre-stop delay of 0 leaves out the hook, and with it any need for a sleep binary', () => {
    const container = synth({ preStopDelaySeconds: 0 }).byKind('Deployment').spec.template.spec.containers[0];
    expect(container).not.toHaveProperty('lifecycle');
  });

  test('scales between 2 and 4 replicas on CPU by default, and scales down slowly', () => {
    const spec = synth().byKind('HorizontalPodAutoscaler').spec;
    expect(spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' });
    expect(spec.minReplicas).toBe(2);
    expect(spec.maxReplicas).toBe(4);
    expect(spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
    ]);
    expect(spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
  });

  test('takes the replica range and CPU target it is given', () => {
    const spec = synth({ replicas: { min: 3, max: 9 }, cpuTargetPercent: 55 }).byKind('HorizontalPodAutoscaler').spec;
    expect([spec.minReplicas, spec.maxReplicas]).toEqual([3, 9]);
    expect(spec.metrics[0].resource.target.averageUtilization).toBe(55);
  });

  test('has a PodDisruptionBudget that always allows one eviction and never waits on unhealthy pods', () => {
    const spec = synth().byKind('PodDisruptionBudget').spec;
    expect(spec.maxUnavailable).toBe(1);
    expect(spec).not.toHaveProperty('minAvailable');
    expect(spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
  });

  test('runs under the restricted Pod Security Standard with a read-only root filesystem', () => {
    const pod = synth().byKind('Deployment').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(pod.containers[0].securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('api');
  });

  test('mounts an emptyDir at every writable path', () => {
    const pod = synth({ writablePaths: ['/tmp', '/var/cache/app'] }).byKind('Deployment').spec.template.spec;
    expect(pod.volumes).toEqual([
      { name: 'writable-0', emptyDir: {} },
      { name: 'writable-1', emptyDir: {} },
    ]);
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'writable-0', mountPath: '/tmp' },
      { name: 'writable-1', mountPath: '/var/cache/app' },
    ]);
  });

  test('the ServiceAccount mounts no token', () => {
    expect(synth().byKind('ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  test('sets requests and limits', () => {
    const container = synth().byKind('Deployment').spec.template.spec.containers[0];
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
  });

  test('spreads pods across nodes and zones without blocking a surge pod', () => {
    const constraints = synth().byKind('Deployment').spec.template.spec.topologySpreadConstraints;
    expect(constraints.map((c: any) => c.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    for (const c of constraints) {
      expect(c.whenUnsatisfiable).toBe('ScheduleAnyway');
      expect(c.labelSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' });
    }
  });

  test('labels every object with the recommended labels and selects on name and instance only', () => {
    const { manifests, byKind } = synth();
    const expected = {
      'app.kubernetes.io/name': 'api',
      'app.kubernetes.io/instance': 'api',
      'app.kubernetes.io/component': 'server',
      'app.kubernetes.io/part-of': 'shop',
      'app.kubernetes.io/version': '2.0.1',
      'app.kubernetes.io/managed-by': 'cdk8s',
    };
    for (const m of manifests) expect(m.metadata.labels).toEqual(expected);
    const selector = { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' };
    const deployment = byKind('Deployment');
    expect(deployment.spec.selector).toEqual({ matchLabels: selector });
    expect(deployment.spec.template.metadata.labels).toEqual(expected);
    expect(byKind('Service').spec.selector).toEqual(selector);
    expect(byKind('PodDisruptionBudget').spec.selector).toEqual({ matchLabels: selector });
  });

  test('the Service forwards its port to the container port by name', () => {
    const spec = synth({ servicePort: 8080 }).byKind('Service').spec;
    expect(spec.type).toBe('ClusterIP');
    expect(spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
  });

  test('a change to a mounted ConfigMap changes the pod template checksum, so the pods roll', () => {
    const checksum = (value: string) =>
      synth({}, (chart) => ({
        envFrom: [new KubeConfigMap(chart, 'cfg', { metadata: { name: 'api-config' }, data: { MODE: value } })],
      })).byKind('Deployment').spec.template.metadata.annotations['checksum/config'];
    expect(checksum('a')).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum('a')).toBe(checksum('a'));
    expect(checksum('a')).not.toBe(checksum('b'));
  });

  test('without configuration the pod template carries no checksum', () => {
    expect(synth().byKind('Deployment').spec.template.metadata).not.toHaveProperty('annotations');
  });

  test.each([
    [{ name: 'Api_1' }, 'name: "Api_1" — a DNS-1123 label'],
    [{ replicas: { min: 3, max: 2 } }, 'replicas.min: 3 — at most replicas.max (2)'],
    [{ replicas: { min: 0, max: 2 } }, 'replicas.min: 0 — an integer ≥ 1'],
    [{ containerPort: 70000 }, 'containerPort: 70000 — an integer from 1 to 65535'],
    [{ preStopDelaySeconds: 30, terminationGracePeriodSeconds: 20 }, 'terminationGracePeriodSeconds: 20'],
    [{ runAsUser: 0 }, 'runAsUser: 0 — a non-zero UID'],
    [{ externalTrafficPolicy: 'Local' }, 'externalTrafficPolicy: "Local" — unset for a ClusterIP Service'],
    [{ command: [] }, 'command: [] — a non-empty list'],
    [{ preStopCommand: [] }, 'preStopCommand: [] — a non-empty command'],
  ])('rejects invalid props %j with what was given and what is allowed', (props, message) => {
    expect(() => synth(props as Partial<WebServiceProps>)).toThrow(message);
  });

  test('runs the given command instead of the image entrypoint', () => {
    const container = synth({ command: ['nginx', '-c', '/etc/nginx/site/nginx.conf'] }).byKind('Deployment').spec.template.spec.containers[0];
    expect(container.command).toEqual(['nginx', '-c', '/etc/nginx/site/nginx.conf']);
  });

  test('keeps client addresses on a LoadBalancer Service with externalTrafficPolicy Local', () => {
    const spec = synth({ serviceType: 'LoadBalancer', externalTrafficPolicy: 'Local' }).byKind('Service').spec;
    expect(spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
  });

  test('admits address ranges to the HTTP port only, with allowFromAddresses', () => {
    const chart = testChart();
    const svc = new WebService(chart, 'svc', { ...baseProps, serviceType: 'LoadBalancer' });
    svc.allowFromAddresses('load-balancer', ['203.0.113.0/24', '2001:db8::/32']);
    const policy = Testing.synth(chart).find((m) => m.kind === 'NetworkPolicy');
    expect(policy.metadata.name).toBe('api-from-load-balancer');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24' } }, { ipBlock: { cidr: '2001:db8::/32' } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
  });

  test.each([['10.0.0.0'], ['10.0.0.0/33'], ['example.com/8'], ['::/129'], ['999.1.1.1/99']])('refuses the address range %s', (cidr) => {
    const svc = new WebService(testChart(), 'svc', baseProps);
    expect(() => svc.allowFromAddresses('lb', [cidr])).toThrow(`WebService "api": allowFromAddresses("lb")[0]: ${JSON.stringify(cidr)} — an IPv4 or IPv6 address range (CIDR)`);
  });
});

describe('WebService scheduling and pod metadata', () => {
  test('adds pod labels to the pod template only: every selector stays on name and instance', () => {
    const { byKind } = synth({ podLabels: { team: 'chat', 'cost.example.com/center': 'c-42' } });
    const deployment = byKind('Deployment');
    expect(deployment.spec.template.metadata.labels).toMatchObject({ team: 'chat', 'cost.example.com/center': 'c-42', 'app.kubernetes.io/name': 'api' });
    const selector = { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' };
    expect(deployment.spec.selector.matchLabels).toEqual(selector);
    expect(byKind('Service').spec.selector).toEqual(selector);
    expect(byKind('PodDisruptionBudget').spec.selector.matchLabels).toEqual(selector);
    expect(deployment.metadata.labels).not.toHaveProperty('team');
  });

  test('schedules with the node selector, tolerations and node affinity it is given, keeping its own spreading', () => {
    const nodeAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }] }] },
    };
    const tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'chat', effect: 'NoSchedule' }];
    const spec = synth({ nodeSelector: { 'node.example.com/pool': 'web' }, tolerations, nodeAffinity }).byKind('Deployment').spec.template.spec;
    expect(spec.nodeSelector).toEqual({ 'node.example.com/pool': 'web' });
    expect(spec.tolerations).toEqual(tolerations);
    expect(spec.affinity).toEqual({ nodeAffinity });
    expect(spec.topologySpreadConstraints.map((c: any) => c.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
  });

  test('without them the pod spec has no nodeSelector, tolerations or affinity', () => {
    const spec = synth().byKind('Deployment').spec.template.spec;
    for (const field of ['nodeSelector', 'tolerations', 'affinity']) expect(spec).not.toHaveProperty(field);
  });

  test.each([
    [{ podLabels: { 'app.kubernetes.io/name': 'other' } }, 'WebService "api": podLabels.app.kubernetes.io/name: "app.kubernetes.io/name" — a key outside app.kubernetes.io/'],
    [{ podLabels: { 'app.kubernetes.io/tier': 'web' } }, 'podLabels.app.kubernetes.io/tier: "app.kubernetes.io/tier" — a key outside app.kubernetes.io/'],
    [{ podLabels: { 'pod-template-hash': 'x' } }, 'podLabels.pod-template-hash: "pod-template-hash" — a key outside app.kubernetes.io/ and other than pod-template-hash'],
    [{ podLabels: { team: 'not a value' } }, 'podLabels.team: "not a value" — a label value: at most 63 characters'],
    [{ nodeSelector: { '-bad': 'x' } }, 'nodeSelector.-bad: "-bad" — a label key'],
    [{ podAnnotations: { 'checksum/config': 'abc' } }, 'podAnnotations.checksum/config: "abc" — unset: the construct writes it from its ConfigMaps'],
  ])('refuses %j, naming what the construct owns', (props, message) => {
    expect(() => synth(props as Partial<WebServiceProps>)).toThrow(message);
  });
});
