import { ApiRule } from '../lib/validation/api-server/api-rule';
import { apiServerRules } from '../lib/validation/api-server/api-server-rules';
import { formatFieldError } from '../lib/validation/api-server/field-error';
import { WORKLOAD_API_RULES } from '../lib/validation/api-server/workload-rules';
import { treeObject } from '../lib/tree/tree-object';
import { validateTree } from '../lib/validation/validate';

// Each Go validation function ported from the Kubernetes 1.28 API server gets a valid object,
// which it must accept, and the invalid variants the API server refuses, with its own message.

type Manifest = Record<string, any>;

function rule(id: string): ApiRule {
  const found = WORKLOAD_API_RULES.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
}

/** The messages a rule gives an object, as the API server prints them. */
function refusals(id: string, manifest: Manifest): string[] {
  return rule(id).validate(manifest).map(formatFieldError);
}

/** The manifest with `edit` applied to a deep copy of it. */
function changed(manifest: Manifest, edit: (m: Manifest) => void): Manifest {
  const copy = structuredClone(manifest);
  edit(copy);
  return copy;
}

const LABELS = { 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'backend' };
const CONTAINERS = [{ name: 'app', image: 'registry.example.com/app:1.0.0' }];

const deployment: Manifest = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'backend', namespace: 'chat-dev' },
  spec: {
    replicas: 2,
    minReadySeconds: 10,
    progressDeadlineSeconds: 600,
    revisionHistoryLimit: 10,
    selector: { matchLabels: LABELS },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: { metadata: { labels: { ...LABELS, 'app.kubernetes.io/version': '1.0.0' } }, spec: { containers: CONTAINERS } },
  },
};

describe('ValidateDeploymentSpec', () => {
  const id = 'API-DEPLOYMENT-SPEC';

  it('accepts a Deployment whose selector matches its template and whose rolling update surges by one', () => {
    expect(refusals(id, deployment)).toEqual([]);
  });

  it('refuses a Deployment whose selector does not match its template labels', () => {
    const m = changed(deployment, (d) => (d.spec.selector.matchLabels['app.kubernetes.io/name'] = 'frontend'));
    expect(refusals(id, m)).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app.kubernetes.io/name":"backend","app.kubernetes.io/instance":"backend","app.kubernetes.io/version":"1.0.0"}: `selector` does not match template `labels`',
    ]);
  });

  it('evaluates matchExpressions as the API server does', () => {
    const matching = changed(deployment, (d) => {
      d.spec.selector = { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['backend', 'api'] }, { key: 'tier', operator: 'DoesNotExist' }] };
    });
    expect(refusals(id, matching)).toEqual([]);
    const excluding = changed(deployment, (d) => (d.spec.selector = { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['backend'] }] }));
    expect(refusals(id, excluding)).toEqual([expect.stringContaining('`selector` does not match template `labels`')]);
  });

  it('requires a selector, and a non-empty one', () => {
    expect(refusals(id, changed(deployment, (d) => delete d.spec.selector))).toEqual([
      'spec.selector: Required value',
      expect.stringMatching(/^spec\.template\.metadata\.labels: Invalid value: .*does not match template `labels`$/),
    ]);
    expect(refusals(id, changed(deployment, (d) => (d.spec.selector = {})))).toEqual(['spec.selector: Invalid value: {}: empty selector is invalid for deployment']);
  });

  it('refuses a selector the API server cannot parse', () => {
    const m = changed(deployment, (d) => (d.spec.selector = { matchExpressions: [{ key: 'tier', operator: 'Matches', values: ['x'] }] }));
    expect(refusals(id, m)).toContain('spec.selector: Invalid value: {"matchExpressions":[{"key":"tier","operator":"Matches","values":["x"]}]}: invalid label selector');
  });

  it('refuses negative replicas, minReadySeconds and revisionHistoryLimit', () => {
    const m = changed(deployment, (d) => Object.assign(d.spec, { replicas: -1, minReadySeconds: -1, revisionHistoryLimit: -1 }));
    expect(refusals(id, m)).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });

  it('refuses a rolling update that may neither surge nor go unavailable', () => {
    const m = changed(deployment, (d) => (d.spec.strategy.rollingUpdate = { maxSurge: '0%', maxUnavailable: 0 }));
    expect(refusals(id, m)).toEqual(['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0']);
  });

  it('defaults a missing maxSurge to 25%, as apps/v1 does', () => {
    expect(refusals(id, changed(deployment, (d) => (d.spec.strategy = { rollingUpdate: { maxUnavailable: 0 } })))).toEqual([]);
  });

  it('refuses malformed and oversized percentages', () => {
    const m = changed(deployment, (d) => (d.spec.strategy.rollingUpdate = { maxSurge: '10 percent', maxUnavailable: '150%' }));
    expect(refusals(id, m)).toEqual([
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"10 percent\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%',
    ]);
  });

  it('forbids rollingUpdate parameters on a Recreate strategy and refuses unknown strategy types', () => {
    expect(refusals(id, changed(deployment, (d) => (d.spec.strategy.type = 'Recreate')))).toEqual([
      "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    ]);
    expect(refusals(id, changed(deployment, (d) => (d.spec.strategy = { type: 'BlueGreen' })))).toEqual([
      'spec.strategy: Unsupported value: {"type":"BlueGreen"}: supported values: "Recreate", "RollingUpdate"',
    ]);
  });

  it('refuses a progress deadline not above minReadySeconds, counting the 600 s default', () => {
    expect(refusals(id, changed(deployment, (d) => (d.spec.progressDeadlineSeconds = 10)))).toEqual([
      'spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds',
    ]);
    const m = changed(deployment, (d) => {
      delete d.spec.progressDeadlineSeconds;
      d.spec.minReadySeconds = 600;
    });
    expect(refusals(id, m)).toEqual(['spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds']);
  });

  it('refuses pods that do not restart Always or that have an active deadline', () => {
    const m = changed(deployment, (d) => Object.assign(d.spec.template.spec, { restartPolicy: 'OnFailure', activeDeadlineSeconds: 60 }));
    expect(refusals(id, m)).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
    ]);
  });

  it('reports through validateTree once per object, under its rule id', () => {
    const broken = changed(deployment, (d) => (d.spec.selector.matchLabels['app.kubernetes.io/name'] = 'frontend'));
    const report = validateTree([treeObject('envs/dev/backend/Deployment-backend.yaml', broken)], { rules: apiServerRules(WORKLOAD_API_RULES) });
    expect(report.findings.map((f) => [f.rule, f.object])).toEqual([['API-DEPLOYMENT-SPEC', 'Deployment/backend']]);
    expect(report.findings[0].message).toMatch(/^spec\.template\.metadata\.labels: Invalid value: .*: `selector` does not match template `labels`$/);
  });
});

describe('ValidateReplicaSetSpec', () => {
  const replicaSet: Manifest = { ...changed(deployment, (d) => delete d.spec.strategy), kind: 'ReplicaSet' };
  delete replicaSet.spec.progressDeadlineSeconds;
  delete replicaSet.spec.revisionHistoryLimit;

  it('accepts a ReplicaSet whose selector matches its template', () => {
    expect(refusals('API-REPLICASET-SPEC', replicaSet)).toEqual([]);
  });

  it('refuses an empty selector and negative minReadySeconds', () => {
    const m = changed(replicaSet, (r) => Object.assign(r.spec, { selector: {}, minReadySeconds: -5 }));
    expect(refusals('API-REPLICASET-SPEC', m)).toEqual([
      'spec.selector: Invalid value: {}: empty selector is invalid for deployment',
      'spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0',
    ]);
  });
});

const KAFKA = { 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/instance': 'kafka' };
const statefulSet: Manifest = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'kafka', namespace: 'chat-dev' },
  spec: {
    replicas: 3,
    minReadySeconds: 30,
    podManagementPolicy: 'Parallel',
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' },
    selector: { matchLabels: KAFKA },
    serviceName: 'kafka-headless',
    template: { metadata: { labels: KAFKA }, spec: { containers: CONTAINERS } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } } }],
  },
};

describe('ValidateStatefulSetSpec', () => {
  const id = 'API-STATEFULSET-SPEC';

  it('accepts a StatefulSet with the defaulted update strategy', () => {
    expect(refusals(id, statefulSet)).toEqual([]);
  });

  it('refuses an unknown podManagementPolicy', () => {
    expect(refusals(id, changed(statefulSet, (s) => (s.spec.podManagementPolicy = 'Random')))).toEqual([
      "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
    ]);
  });

  it('refuses rollingUpdate on OnDelete, a negative partition and an unknown strategy', () => {
    expect(refusals(id, changed(statefulSet, (s) => (s.spec.updateStrategy = { type: 'OnDelete', rollingUpdate: { partition: 1 } })))).toEqual([
      "spec.updateStrategy.rollingUpdate: Invalid value: {\"partition\":1}: only allowed for updateStrategy 'RollingUpdate'",
    ]);
    expect(refusals(id, changed(statefulSet, (s) => (s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: -1 } })))).toEqual([
      'spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0',
    ]);
    expect(refusals(id, changed(statefulSet, (s) => (s.spec.updateStrategy = { type: 'Canary' })))).toEqual([
      "spec.updateStrategy: Invalid value: {\"type\":\"Canary\"}: must be 'RollingUpdate' or 'OnDelete'",
    ]);
  });

  it('refuses unknown PVC retention policies', () => {
    expect(refusals(id, changed(statefulSet, (s) => (s.spec.persistentVolumeClaimRetentionPolicy.whenScaled = 'Keep')))).toEqual([
      'spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: "Keep": supported values: "Retain", "Delete"',
    ]);
  });

  it('refuses negative replicas, minReadySeconds and ordinals.start', () => {
    const m = changed(statefulSet, (s) => Object.assign(s.spec, { replicas: -1, minReadySeconds: -1, ordinals: { start: -1 } }));
    expect(refusals(id, m)).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });

  it('refuses a selector that does not match the template, and pods that are not restarted Always', () => {
    const m = changed(statefulSet, (s) => {
      s.spec.template.metadata.labels = { 'app.kubernetes.io/name': 'kafka' };
      s.spec.template.spec.restartPolicy = 'Never';
      s.spec.template.spec.activeDeadlineSeconds = 5;
    });
    expect(refusals(id, m)).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app.kubernetes.io/name":"kafka"}: `selector` does not match template `labels`',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported',
    ]);
  });

  it('requires a non-empty selector', () => {
    expect(refusals(id, changed(statefulSet, (s) => (s.spec.selector = {})))).toEqual(['spec.selector: Invalid value: {}: empty selector is invalid for statefulset']);
  });
});

describe('ValidateDaemonSetSpec', () => {
  const daemonSet: Manifest = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent' },
    spec: { selector: { matchLabels: LABELS }, template: { metadata: { labels: LABELS }, spec: { containers: CONTAINERS } } },
  };

  it('accepts a DaemonSet with the defaulted rolling update', () => {
    expect(refusals('API-DAEMONSET-SPEC', daemonSet)).toEqual([]);
  });

  it('refuses a rolling update with both maxSurge and maxUnavailable non-zero', () => {
    const m = changed(daemonSet, (d) => (d.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } }));
    expect(refusals('API-DAEMONSET-SPEC', m)).toEqual(['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero']);
  });
});

const JOB_LABELS = { 'app.kubernetes.io/name': 'kafka-topics' };
const job: Manifest = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'kafka-topics', namespace: 'chat-dev' },
  spec: {
    activeDeadlineSeconds: 900,
    backoffLimit: 6,
    ttlSecondsAfterFinished: 3600,
    template: { metadata: { labels: JOB_LABELS }, spec: { restartPolicy: 'OnFailure', containers: CONTAINERS } },
  },
};

describe('ValidateJobSpec', () => {
  const id = 'API-JOB-SPEC';

  it('accepts a Job that leaves its selector to the API server', () => {
    expect(refusals(id, job)).toEqual([]);
  });

  it('requires restartPolicy OnFailure or Never, the default Always included', () => {
    expect(refusals(id, changed(job, (j) => delete j.spec.template.spec.restartPolicy))).toEqual([
      'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ]);
    expect(refusals(id, changed(job, (j) => (j.spec.template.spec.restartPolicy = 'Sometimes')))).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "OnFailure", "Never"',
    ]);
  });

  it('requires Never with a podFailurePolicy', () => {
    const m = changed(job, (j) => (j.spec.podFailurePolicy = { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] }));
    expect(refusals(id, m)).toEqual(['spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified']);
  });

  it('refuses negative counts and durations', () => {
    const m = changed(job, (j) => Object.assign(j.spec, { parallelism: -1, completions: -1, activeDeadlineSeconds: -1, backoffLimit: -1, ttlSecondsAfterFinished: -1 }));
    expect(refusals(id, m)).toEqual(
      ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'].map(
        (f) => `spec.${f}: Invalid value: -1: must be greater than or equal to 0`,
      ),
    );
  });

  it('requires a selector with manualSelector, and one matching the template', () => {
    expect(refusals(id, changed(job, (j) => (j.spec.manualSelector = true)))).toEqual([
      'spec.selector: Required value',
      expect.stringMatching(/^spec\.template\.metadata\.labels: Invalid value: .*does not match template `labels`$/),
    ]);
    const matching = changed(job, (j) => Object.assign(j.spec, { manualSelector: true, selector: { matchLabels: JOB_LABELS } }));
    expect(refusals(id, matching)).toEqual([]);
    const other = changed(job, (j) => Object.assign(j.spec, { manualSelector: true, selector: { matchLabels: { 'app.kubernetes.io/name': 'other' } } }));
    expect(refusals(id, other)).toEqual(['spec.template.metadata.labels: Invalid value: {"app.kubernetes.io/name":"kafka-topics"}: `selector` does not match template `labels`']);
  });

  it('requires completions for an Indexed Job and refuses unknown completion modes', () => {
    expect(refusals(id, changed(job, (j) => (j.spec.completionMode = 'Indexed')))).toEqual(['spec.completions: Required value: when completion mode is Indexed']);
    expect(refusals(id, changed(job, (j) => (j.spec.completionMode = 'Sharded')))).toEqual([
      'spec.completionMode: Unsupported value: "Sharded": supported values: "NonIndexed", "Indexed"',
    ]);
  });
});

describe('ValidateJob', () => {
  const id = 'API-JOB';

  it('accepts a Job whose selector and job labels the API server generates', () => {
    expect(refusals(id, job)).toEqual([]);
  });

  it('refuses a selector written without manualSelector', () => {
    const m = changed(job, (j) => (j.spec.selector = { matchLabels: JOB_LABELS }));
    expect(refusals(id, m)).toEqual(['spec.selector: Invalid value: {"matchLabels":{"app.kubernetes.io/name":"kafka-topics"}}: `selector` not auto-generated']);
  });

  it('refuses a job-name label that is not the Job’s name', () => {
    const m = changed(job, (j) => (j.spec.template.metadata.labels['job-name'] = 'other'));
    expect(refusals(id, m)).toEqual([expect.stringMatching(/^spec\.template\.metadata\.labels\[job-name\]: Invalid value: .*: kafka-topics$/)]);
  });

  it('refuses an Indexed Job whose last pod hostname would not be a DNS label', () => {
    const m = changed(job, (j) => {
      j.metadata.name = 'a'.repeat(62);
      Object.assign(j.spec, { completionMode: 'Indexed', completions: 10 });
    });
    expect(refusals(id, m)).toContain(`metadata.name: Invalid value: "${'a'.repeat(62)}": will not able to create pod with invalid DNS label: ${'a'.repeat(62)}-9`);
  });
});

const hpa: Manifest = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'backend', namespace: 'chat-dev' },
  spec: {
    minReplicas: 2,
    maxReplicas: 4,
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'backend' },
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
  },
};

describe('ValidateHorizontalPodAutoscalerSpec', () => {
  const id = 'API-HPA-SPEC';

  it('accepts an HPA scaling a Deployment between 2 and 4 replicas on CPU', () => {
    expect(refusals(id, hpa)).toEqual([]);
  });

  it('refuses minReplicas above maxReplicas', () => {
    expect(refusals(id, changed(hpa, (h) => (h.spec.minReplicas = 5)))).toEqual(['spec.maxReplicas: Invalid value: 4: must be greater than or equal to `minReplicas`']);
  });

  it('refuses minReplicas 0 (HPAScaleToZero is off in 1.28) and maxReplicas 0', () => {
    expect(refusals(id, changed(hpa, (h) => (h.spec.minReplicas = 0)))).toEqual(['spec.minReplicas: Invalid value: 0: must be greater than or equal to 1']);
    expect(refusals(id, changed(hpa, (h) => Object.assign(h.spec, { minReplicas: 1, maxReplicas: 0 })))).toEqual([
      'spec.maxReplicas: Invalid value: 0: must be greater than 0',
      'spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`',
    ]);
  });

  it('requires the scale target’s kind and name', () => {
    expect(refusals(id, changed(hpa, (h) => (h.spec.scaleTargetRef = { kind: 'Deployment' })))).toEqual(['spec.scaleTargetRef.name: Required value']);
  });

  it('refuses a metric whose type names another source than the one populated', () => {
    expect(refusals(id, changed(hpa, (h) => (h.spec.metrics[0].type = 'Pods')))).toEqual([
      'spec.metrics[0].pods: Required value: must populate information for the given metric source',
    ]);
  });

  it('refuses metric targets that are not positive or of an unknown type', () => {
    const m = changed(hpa, (h) => {
      h.spec.metrics = [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } },
        { type: 'Pods', pods: { metric: { name: 'sessions' }, target: { type: 'Average', averageValue: '0' } } },
      ];
    });
    expect(refusals(id, m)).toEqual([
      'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
      'spec.metrics[1].pods.target.type: Invalid value: "Average": must be either Utilization, Value, or AverageValue',
      'spec.metrics[1].pods.target.averageValue: Invalid value: "0": must be positive',
    ]);
  });

  it('refuses behavior rules without policies or with out-of-range periods', () => {
    const m = changed(hpa, (h) => {
      h.spec.behavior = { scaleUp: { policies: [] }, scaleDown: { selectPolicy: 'Avg', policies: [{ type: 'Percent', value: 0, periodSeconds: 3600 }] } };
    });
    expect(refusals(id, m)).toEqual([
      'spec.behavior.scaleUp.policies: Required value: must specify at least one Policy',
      'spec.behavior.scaleDown.selectPolicy: Unsupported value: "Avg": supported values: "Disabled", "Max", "Min"',
      'spec.behavior.scaleDown.policies[0].value: Invalid value: 0: must be greater than zero',
      'spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: 3600: must be less than or equal to 1800',
    ]);
  });
});

const pdb: Manifest = {
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'backend', namespace: 'chat-dev' },
  spec: { maxUnavailable: 1, selector: { matchLabels: LABELS }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
};

describe('ValidatePodDisruptionBudgetSpec', () => {
  const id = 'API-PDB-SPEC';

  it('accepts a PDB allowing one unavailable pod', () => {
    expect(refusals(id, pdb)).toEqual([]);
    expect(refusals(id, changed(pdb, (p) => Object.assign(p.spec, { maxUnavailable: undefined, minAvailable: '50%' })))).toEqual([]);
  });

  it('refuses a PDB with both minAvailable and maxUnavailable', () => {
    const m = changed(pdb, (p) => (p.spec.minAvailable = 1));
    expect(refusals(id, m)).toEqual([expect.stringMatching(/^spec: Invalid value: \{.*\}: minAvailable and maxUnavailable cannot be both set$/)]);
  });

  it('refuses negative counts and percentages above 100%', () => {
    expect(refusals(id, changed(pdb, (p) => (p.spec.maxUnavailable = -1)))).toEqual(['spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0']);
    expect(refusals(id, changed(pdb, (p) => (p.spec.maxUnavailable = '120%')))).toEqual(['spec.maxUnavailable: Invalid value: "120%": must not be greater than 100%']);
  });

  it('refuses an unknown unhealthyPodEvictionPolicy', () => {
    expect(refusals(id, changed(pdb, (p) => (p.spec.unhealthyPodEvictionPolicy = 'Never')))).toEqual([
      'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"',
    ]);
  });
});

const networkPolicy: Manifest = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'backend-egress', namespace: 'chat-dev' },
  spec: {
    podSelector: { matchLabels: LABELS },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'frontend' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
    egress: [
      { to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] } }], ports: [{ port: 9092, endPort: 9094 }] },
      { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 'dns', protocol: 'UDP' }] },
    ],
  },
};

describe('ValidateNetworkPolicySpec', () => {
  const id = 'API-NETWORKPOLICY-SPEC';

  it('accepts selectors, an ipBlock with an exception inside it, a port range and a named port', () => {
    expect(refusals(id, networkPolicy)).toEqual([]);
  });

  it('refuses a port of 70000', () => {
    expect(refusals(id, changed(networkPolicy, (n) => (n.spec.ingress[0].ports[0].port = 70000)))).toEqual([
      'spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
    ]);
  });

  it('refuses an endPort below port or beside a named port', () => {
    expect(refusals(id, changed(networkPolicy, (n) => (n.spec.egress[0].ports[0].endPort = 9000)))).toEqual([
      'spec.egress[0].ports[0].endPort: Invalid value: 9092: must be greater than or equal to `port`',
    ]);
    expect(refusals(id, changed(networkPolicy, (n) => (n.spec.egress[1].ports[0].endPort = 60)))).toEqual([
      'spec.egress[1].ports[0].endPort: Invalid value: 60: may not be specified when `port` is non-numeric',
    ]);
  });

  it('refuses port names that are not IANA service names, and unknown protocols', () => {
    expect(refusals(id, changed(networkPolicy, (n) => Object.assign(n.spec.egress[1].ports[0], { port: 'dns_udp', protocol: 'ICMP' })))).toEqual([
      'spec.egress[1].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
      'spec.egress[1].ports[0].port: Invalid value: "dns_udp": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ]);
  });

  it('refuses a peer with an ipBlock and a selector, and an empty peer', () => {
    const m = changed(networkPolicy, (n) => {
      n.spec.egress[0].to[0].namespaceSelector = {};
      n.spec.ingress[0].from.push({});
    });
    expect(refusals(id, m)).toEqual([
      'spec.ingress[0].from[1]: Required value: must specify a peer',
      'spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer',
    ]);
  });

  it('refuses an invalid CIDR and exceptions outside it', () => {
    expect(refusals(id, changed(networkPolicy, (n) => (n.spec.egress[0].to[0].ipBlock.cidr = '10.0.0.0/33')))).toEqual([
      'spec.egress[0].to[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": not a valid CIDR',
    ]);
    expect(refusals(id, changed(networkPolicy, (n) => (n.spec.egress[0].to[0].ipBlock.except = ['192.168.0.0/16', '10.0.0.0/8'])))).toEqual([
      'spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "192.168.0.0/16": must be a strict subset of `cidr`',
      'spec.egress[0].to[0].ipBlock.except[1]: Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`',
    ]);
    const v6 = changed(networkPolicy, (n) => (n.spec.egress[0].to[0].ipBlock = { cidr: '2001:db8::/32', except: ['2001:db8:1::/48', '2001:db9::/48'] }));
    expect(refusals(id, v6)).toEqual(['spec.egress[0].to[0].ipBlock.except[1]: Invalid value: "2001:db9::/48": must be a strict subset of `cidr`']);
  });

  it('refuses unknown policyTypes', () => {
    expect(refusals(id, changed(networkPolicy, (n) => (n.spec.policyTypes = ['Ingress', 'Both'])))).toEqual([
      'spec.policyTypes[1]: Unsupported value: "Both": supported values: "Ingress", "Egress"',
    ]);
  });
});

const ingress: Manifest = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'frontend', namespace: 'chat-dev', annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
  spec: {
    ingressClassName: 'nginx',
    tls: [{ hosts: ['chat.example.com', '*.chat.example.com'], secretName: 'frontend-tls' }],
    rules: [
      {
        host: 'chat.example.com',
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: { name: 'frontend', port: { name: 'http' } } } },
            { path: '/api', pathType: 'ImplementationSpecific', backend: { service: { name: 'backend', port: { number: 8080 } } } },
          ],
        },
      },
      { host: '*.chat.example.com', http: { paths: [{ path: '/', pathType: 'Exact', backend: { service: { name: 'frontend', port: { number: 80 } } } }] } },
    ],
  },
};

describe('ValidateIngressSpec', () => {
  const id = 'API-INGRESS-SPEC';

  it('accepts hosts, a wildcard host, TLS and service backends by port name and number', () => {
    expect(refusals(id, ingress)).toEqual([]);
  });

  it('refuses an IP address as a host, and malformed hosts', () => {
    expect(refusals(id, changed(ingress, (i) => (i.spec.rules[0].host = '10.0.0.1')))).toEqual([
      'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
    ]);
    expect(refusals(id, changed(ingress, (i) => (i.spec.rules[1].host = 'chat.*.example.com')))).toEqual([
      expect.stringMatching(/^spec\.rules\[1\]\.host: Invalid value: "chat\.\*\.example\.com": a wildcard DNS-1123 subdomain must start with '\*\.'/),
    ]);
    expect(refusals(id, changed(ingress, (i) => (i.spec.tls[0].hosts[0] = 'Chat.example.com')))).toEqual([
      expect.stringMatching(/^spec\.tls\[0\]\.hosts\[0\]: Invalid value: "Chat\.example\.com": a lowercase RFC 1123 subdomain/),
    ]);
  });

  it('requires a pathType, a known one, and an absolute path for Prefix and Exact', () => {
    expect(refusals(id, changed(ingress, (i) => delete i.spec.rules[0].http.paths[0].pathType))).toEqual([
      'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
    ]);
    expect(refusals(id, changed(ingress, (i) => (i.spec.rules[0].http.paths[0].pathType = 'Regex')))).toEqual([
      'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
    ]);
    expect(refusals(id, changed(ingress, (i) => (i.spec.rules[0].http.paths[0].path = 'api/./v1')))).toEqual([
      'spec.rules[0].http.paths[0].path: Invalid value: "api/./v1": must be an absolute path',
      "spec.rules[0].http.paths[0].path: Invalid value: \"api/./v1\": must not contain '/./'",
    ]);
  });

  it('refuses a backend with both a port name and number, or with neither service nor resource', () => {
    expect(refusals(id, changed(ingress, (i) => (i.spec.rules[0].http.paths[0].backend.service.port.number = 80)))).toEqual([
      'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number',
    ]);
    expect(refusals(id, changed(ingress, (i) => (i.spec.rules[0].http.paths[0].backend = {})))).toEqual([
      'spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required',
    ]);
  });

  it('requires rules or a defaultBackend, and refuses an invalid ingressClassName', () => {
    const defaultOnly = changed(ingress, (i) => {
      delete i.spec.rules;
      i.spec.defaultBackend = { service: { name: 'frontend', port: { name: 'http' } } };
    });
    expect(refusals(id, defaultOnly)).toEqual([]);
    const bare = changed(ingress, (i) => (i.spec = { ingressClassName: 'Nginx_Class' }));
    expect(refusals(id, bare)).toEqual([
      'spec: Invalid value: null: either `defaultBackend` or `rules` must be specified',
      expect.stringMatching(/^spec\.ingressClassName: Invalid value: "Nginx_Class": a lowercase RFC 1123 subdomain/),
    ]);
  });
});

describe('ValidateIngressCreate', () => {
  it('accepts an ingress.class annotation equal to ingressClassName', () => {
    expect(refusals('API-INGRESS-CLASS', ingress)).toEqual([]);
  });

  it('refuses an ingress.class annotation that differs from ingressClassName', () => {
    const m = changed(ingress, (i) => (i.metadata.annotations['kubernetes.io/ingress.class'] = 'traefik'));
    expect(refusals('API-INGRESS-CLASS', m)).toEqual(['annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` when both are specified']);
  });
});

describe('ValidatePriorityClass', () => {
  const id = 'API-PRIORITYCLASS';
  const priorityClass: Manifest = {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'chat-dev-workloads' },
    value: 1000,
    globalDefault: false,
    preemptionPolicy: 'PreemptLowerPriority',
  };

  it('accepts a user priority class', () => {
    expect(refusals(id, priorityClass)).toEqual([]);
  });

  it('refuses a user priority above 1000000000', () => {
    expect(refusals(id, changed(priorityClass, (p) => (p.value = 1000000001)))).toEqual([
      'value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
    ]);
  });

  it('refuses the system- prefix for classes that are not the system ones', () => {
    expect(refusals(id, changed(priorityClass, (p) => (p.metadata.name = 'system-chat')))).toEqual([
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-chat is not a known system priority class",
    ]);
  });

  it('refuses an unknown preemptionPolicy', () => {
    expect(refusals(id, changed(priorityClass, (p) => (p.preemptionPolicy = 'Always')))).toEqual([
      'preemptionPolicy: Unsupported value: "Always": supported values: "PreemptLowerPriority", "Never"',
    ]);
  });
});

describe('the workload rule catalogue', () => {
  it('gives every rule a unique id, the Go function it mirrors and what it checks', () => {
    const ids = WORKLOAD_API_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of WORKLOAD_API_RULES) {
      expect(r.id).toMatch(/^API-[A-Z-]+$/);
      expect(r.mirrors).toMatch(/^Validate\w+.* \(pkg\/apis\/\w+\/validation\/validation\.go\)$|^validate\w+.* \(pkg\/apis\/\w+\/validation\/validation\.go\)$/);
      expect(r.checks.length).toBeGreaterThan(20);
      expect(r.kinds).not.toBe('*');
    }
  });

  it('leaves objects of other kinds alone', () => {
    const report = validateTree([treeObject('envs/dev/backend/ConfigMap-backend.yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'backend' } })], {
      rules: apiServerRules(WORKLOAD_API_RULES),
    });
    expect(report.findings).toEqual([]);
  });
});
