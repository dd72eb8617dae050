import { ApiRule } from '../lib/validation/api-server/api-rule';
import { CORE_API_RULES } from '../lib/validation/api-server/core-rules';
import { apiServerRules } from '../lib/validation/api-server/api-server-rules';
import { FieldPath, formatFieldError } from '../lib/validation/api-server/field-error';
import {
  formatQuantity,
  isConfigMapKey,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isEnvVarName,
  isLabelValue,
  isQualifiedName,
  isQuantity,
  isValidPortName,
  isValidPortNum,
  parseQuantity,
  validateLabelSelector,
} from '../lib/validation/api-server/meta';
import { validateTree } from '../lib/validation/validate';
import { treeObject } from '../lib/tree/tree-object';

const rule = (id: string): ApiRule => {
  const found = CORE_API_RULES.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};
const errorsOf = (id: string, manifest: Record<string, any>): string[] => rule(id).validate(manifest).map(formatFieldError);

const meta = (name: string, extra: Record<string, any> = {}) => ({ name, namespace: 'chat-dev', ...extra });

function container(extra: Record<string, any> = {}): Record<string, any> {
  return {
    name: 'backend',
    image: 'registry.example.com/chat/backend:1.4.1',
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
    livenessProbe: { httpGet: { path: '/live', port: 'http' } },
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '1536Mi' } },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    ...extra,
  };
}

function deployment(podSpec: Record<string, any> = {}, templateMeta: Record<string, any> = {}): Record<string, any> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('backend'),
    spec: {
      selector: { matchLabels: { app: 'backend' } },
      template: {
        metadata: { labels: { app: 'backend' }, ...templateMeta },
        spec: { containers: [container()], volumes: [{ name: 'tmp', emptyDir: {} }], ...podSpec },
      },
    },
  };
}

const podSpecErrors = (podSpec: Record<string, any>) => errorsOf('API-POD-SPEC', deployment(podSpec));

describe('apimachinery util/validation (the messages Go returns)', () => {
  test('IsDNS1123Label says what an RFC 1123 label is, with the regex used', () => {
    expect(isDns1123Label('backend')).toEqual([]);
    expect(isDns1123Label('Backend')).toEqual([
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character " +
        "(e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    expect(isDns1123Label('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });

  test('IsDNS1123Subdomain, IsDNS1035Label, IsQualifiedName and IsValidLabelValue accept and refuse as Go does', () => {
    expect(isDns1123Subdomain('chat.example.com')).toEqual([]);
    expect(isDns1123Subdomain('-bad')[0]).toMatch(/^a lowercase RFC 1123 subdomain must consist of .* \(e\.g\. 'example\.com', regex used/);
    expect(isDns1035Label('1abc')[0]).toMatch(/^a DNS-1035 label must consist of/);
    expect(isQualifiedName('app.kubernetes.io/name')).toEqual([]);
    expect(isQualifiedName('a/b/c')[0]).toMatch(/^a qualified name must consist of/);
    expect(isQualifiedName('Example.com/x')[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
    expect(isLabelValue('')).toEqual([]);
    expect(isLabelValue('x'.repeat(64))[0]).toBe('must be no more than 63 characters');
  });

  test('IsValidPortName, IsValidPortNum, IsConfigMapKey and IsEnvVarName', () => {
    expect(isValidPortName('http')).toEqual([]);
    expect(isValidPortName('8080')).toEqual(['must contain at least one letter (a-z)']);
    expect(isValidPortName('averyveryverylongname')).toEqual(['must be no more than 15 characters']);
    expect(isValidPortNum(0)).toEqual(['must be between 1 and 65535, inclusive']);
    expect(isConfigMapKey('..data')).toEqual(["must not start with '..'"]);
    expect(isEnvVarName('1VAR')[0]).toMatch(/^a valid environment variable name must consist of/);
  });

  test('resource.ParseQuantity reads quantities as the decoder does, and String() prints them canonically', () => {
    const q = (s: string | number) => {
      const parsed = parseQuantity(s);
      return isQuantity(parsed) ? formatQuantity(parsed) : parsed.error;
    };
    expect([q('0.5'), q('500m'), q('1.5Gi'), q('1536Mi'), q('2'), q(2), q('1e3'), q('1500'), q('2000')]).toEqual([
      '500m', '500m', '1536Mi', '1536Mi', '2', '2', '1e3', '1500', '2k',
    ]);
    expect(q('2 cores')).toMatch(/^quantities must match the regular expression/);
    expect(q('5Q')).toMatch(/^quantities must match/);
    expect(q('5Mb')).toMatch(/^quantities must match/);
    expect(q('5KM')).toBe("unable to parse quantity's suffix");
  });
});

describe('ValidateLabelSelector', () => {
  test('accepts matchLabels and well-formed expressions', () => {
    const selector = { matchLabels: { app: 'backend' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['api'] }] };
    expect(validateLabelSelector(selector, FieldPath.root('spec').child('selector'))).toEqual([]);
  });

  test('refuses an In expression without values and an unknown operator', () => {
    const selector = { matchExpressions: [{ key: 'tier', operator: 'In' }, { key: 'tier', operator: 'Has' }] };
    expect(validateLabelSelector(selector, FieldPath.root('spec').child('selector')).map(formatFieldError)).toEqual([
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      'spec.selector.matchExpressions[1].operator: Invalid value: "Has": not a valid selector operator',
    ]);
  });
});

describe('ValidateObjectMeta', () => {
  const configMap = (metadata: Record<string, any>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata, data: {} });

  test('accepts a valid name, labels and annotations', () => {
    expect(errorsOf('API-OBJECT-META', configMap(meta('backend-config', { labels: { 'app.kubernetes.io/name': 'backend' } })))).toEqual([]);
  });

  test('refuses a 64-character label value', () => {
    const value = 'v'.repeat(64);
    expect(errorsOf('API-OBJECT-META', configMap(meta('backend-config', { labels: { app: value } })))).toEqual([
      `metadata.labels: Invalid value: "${value}": must be no more than 63 characters`,
    ]);
  });

  test('refuses a name that is not a DNS-1123 subdomain, and requires one', () => {
    expect(errorsOf('API-OBJECT-META', configMap(meta('Backend_Config')))[0]).toMatch(
      /^metadata\.name: Invalid value: "Backend_Config": a lowercase RFC 1123 subdomain must consist of/,
    );
    expect(errorsOf('API-OBJECT-META', configMap({ namespace: 'chat-dev' }))).toEqual(['metadata.name: Required value: name or generateName is required']);
  });

  test('names a Service by DNS-1035 label and a Namespace by DNS-1123 label', () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: meta('1-backend'), spec: { ports: [{ port: 80 }] } };
    expect(errorsOf('API-OBJECT-META', service)[0]).toMatch(/^metadata\.name: Invalid value: "1-backend": a DNS-1035 label/);
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'chat.dev' } };
    expect(errorsOf('API-OBJECT-META', namespace)[0]).toMatch(/^metadata\.name: Invalid value: "chat\.dev": a lowercase RFC 1123 label/);
  });

  test('lets RBAC names be path segments such as system:controller:x', () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:chat:reader' } };
    expect(errorsOf('API-OBJECT-META', role)).toEqual([]);
    expect(errorsOf('API-OBJECT-META', { ...role, metadata: { name: 'a/b' } })).toEqual(['metadata.name: Invalid value: "a/b": may not contain \'/\'']);
  });

  test('refuses an invalid namespace, and takes an absent one from the request', () => {
    expect(errorsOf('API-OBJECT-META', configMap({ name: 'x' }))).toEqual([]);
    expect(errorsOf('API-OBJECT-META', configMap({ name: 'x', namespace: 'Chat' }))[0]).toMatch(/^metadata\.namespace: Invalid value: "Chat": a lowercase RFC 1123 label/);
  });

  test('refuses annotation keys that are not qualified names and more than 256 KiB of annotations', () => {
    expect(errorsOf('API-OBJECT-META', configMap(meta('x', { annotations: { 'a b': 'c' } })))[0]).toMatch(/^metadata\.annotations: Invalid value: "a b": name part must consist of/);
    expect(errorsOf('API-OBJECT-META', configMap(meta('x', { annotations: { big: 'x'.repeat(256 * 1024) } })))).toEqual([
      'metadata.annotations: Too long: must have at most 262144 bytes',
    ]);
  });

  test('refuses an owner reference without uid and a finalizer that is neither standard nor qualified', () => {
    const m = meta('x', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' }], finalizers: ['cleanup'] });
    expect(errorsOf('API-OBJECT-META', configMap(m))).toEqual([
      'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
      'metadata.finalizers[0]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });
});

describe('ValidatePodTemplateSpec', () => {
  test('accepts valid template labels and annotations', () => {
    expect(errorsOf('API-POD-TEMPLATE-SPEC', deployment({}, { annotations: { 'prometheus.io/scrape': 'true' } }))).toEqual([]);
  });

  test('refuses an invalid template label value, at the path Go names it', () => {
    expect(errorsOf('API-POD-TEMPLATE-SPEC', deployment({}, { labels: { app: 'back end' } }))[0]).toMatch(
      /^spec\.template\.labels: Invalid value: "back end": a valid label must be an empty string or consist of/,
    );
  });

  test('refuses a pod-deletion-cost that is not an int32', () => {
    expect(errorsOf('API-POD-TEMPLATE-SPEC', deployment({}, { annotations: { 'controller.kubernetes.io/pod-deletion-cost': '1.5' } }))).toEqual([
      'spec.template.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: "1.5": must be a 32bit integer',
    ]);
  });
});

describe('ValidatePodSpec', () => {
  test('accepts a complete, valid pod spec', () => {
    expect(podSpecErrors({})).toEqual([]);
  });

  test('runs for every workload kind through its pod template path', () => {
    const podSpec = { containers: [container({ name: 'Bad_Name' })], volumes: [{ name: 'tmp', emptyDir: {} }] };
    const cronJob = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('c'), spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: meta('p'), spec: podSpec };
    expect(errorsOf('API-POD-SPEC', cronJob)[0]).toMatch(/^spec\.jobTemplate\.spec\.template\.spec\.containers\[0\]\.name: Invalid value: "Bad_Name"/);
    expect(errorsOf('API-POD-SPEC', pod)[0]).toMatch(/^spec\.containers\[0\]\.name: Invalid value: "Bad_Name"/);
  });

  test('refuses duplicate container names and a missing image', () => {
    expect(podSpecErrors({ containers: [container(), container({ image: '' })] })).toEqual([
      'spec.template.spec.containers[1].image: Required value',
      'spec.template.spec.containers[1].name: Duplicate value: "backend"',
    ]);
  });

  test('refuses a port name longer than 15 characters', () => {
    const ports = [{ name: 'averyveryverylongname', containerPort: 8080 }];
    expect(podSpecErrors({ containers: [container({ ports, readinessProbe: undefined, livenessProbe: undefined })] })).toEqual([
      'spec.template.spec.containers[0].ports[0].name: Invalid value: "averyveryverylongname": must be no more than 15 characters',
    ]);
  });

  test('refuses duplicate port names, a port out of range and an unknown protocol', () => {
    const ports = [
      { name: 'http', containerPort: 8080 },
      { name: 'http', containerPort: 70000, protocol: 'HTTP' },
    ];
    expect(podSpecErrors({ containers: [container({ ports })] })).toEqual([
      'spec.template.spec.containers[0].ports[1].name: Duplicate value: "http"',
      'spec.template.spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.template.spec.containers[0].ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    ]);
  });

  test('refuses an env var with two sources, and one with a value and a source', () => {
    const env = [
      { name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' }, secretKeyRef: { name: 's', key: 'k' } } },
      { name: 'B', value: 'x', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } },
      { name: '1C', value: 'x' },
    ];
    const errors = podSpecErrors({ containers: [container({ env })] });
    expect(errors.slice(0, 2)).toEqual([
      'spec.template.spec.containers[0].env[0].valueFrom: Invalid value: "": may not have more than one field specified at a time',
      'spec.template.spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
    ]);
    expect(errors[2]).toMatch(/^spec\.template\.spec\.containers\[0\]\.env\[2\]\.name: Invalid value: "1C": a valid environment variable name/);
  });

  test('refuses an unsupported downward API field path', () => {
    const env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'status.nodeIP' } } }];
    expect(podSpecErrors({ containers: [container({ env })] })).toEqual([
      'spec.template.spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "status.nodeIP": error converting fieldPath: field label not supported: status.nodeIP',
    ]);
  });

  test('refuses an envFrom entry without a source', () => {
    expect(podSpecErrors({ containers: [container({ envFrom: [{ prefix: 'X_' }] })] })).toEqual([
      'spec.template.spec.containers[0].envFrom: Invalid value: "": must specify one of: `configMapRef` or `secretRef`',
    ]);
  });

  test('refuses duplicate volume names and a volume with two sources or none', () => {
    const volumes = [
      { name: 'tmp', emptyDir: {} },
      { name: 'tmp', emptyDir: {} },
      { name: 'both', emptyDir: {}, configMap: { name: 'c' } },
      { name: 'none' },
    ];
    expect(podSpecErrors({ volumes })).toEqual([
      'spec.template.spec.volumes[1].name: Duplicate value: "tmp"',
      'spec.template.spec.volumes[2].configMap: Forbidden: may not specify more than 1 volume type',
      'spec.template.spec.volumes[3]: Required value: must specify a volume type',
    ]);
  });

  test('refuses a mount of an unknown volume and a repeated mountPath', () => {
    const volumeMounts = [
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'cache', mountPath: '/tmp' },
    ];
    expect(podSpecErrors({ containers: [container({ volumeMounts })] })).toEqual([
      'spec.template.spec.containers[0].volumeMounts[1].name: Not found: "cache"',
      'spec.template.spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/tmp": must be unique',
    ]);
  });

  test("counts a StatefulSet's claim templates as volumes", () => {
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('kafka'),
      spec: {
        volumeClaimTemplates: [{ metadata: { name: 'data' } }],
        template: { spec: { containers: [container({ volumeMounts: [{ name: 'data', mountPath: '/data' }] })] } },
      },
    };
    expect(errorsOf('API-POD-SPEC', sts)).toEqual([]);
  });

  test('refuses a probe with two handlers', () => {
    const readinessProbe = { httpGet: { path: '/ready', port: 'http' }, tcpSocket: { port: 8080 } };
    expect(podSpecErrors({ containers: [container({ readinessProbe })] })).toEqual([
      'spec.template.spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
    ]);
  });

  test('refuses a probe without a handler, a negative threshold and a liveness successThreshold other than 1', () => {
    const livenessProbe = { periodSeconds: -1, successThreshold: 2 };
    expect(podSpecErrors({ containers: [container({ livenessProbe })] })).toEqual([
      'spec.template.spec.containers[0].livenessProbe: Required value: must specify a handler type',
      'spec.template.spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
    ]);
  });

  test('refuses a startup probe successThreshold other than 1 and a bad probe port name', () => {
    const startupProbe = { tcpSocket: { port: 'Http' }, successThreshold: 3 };
    expect(podSpecErrors({ containers: [container({ startupProbe })] })).toEqual([
      'spec.template.spec.containers[0].startupProbe.tcpSocket.port: Invalid value: "Http": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.template.spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1',
    ]);
  });

  test('refuses a cpu request above its limit', () => {
    const resources = { requests: { cpu: '3' }, limits: { cpu: '2' } };
    expect(podSpecErrors({ containers: [container({ resources })] })).toEqual([
      'spec.template.spec.containers[0].resources.requests: Invalid value: "3": must be less than or equal to cpu limit of 2',
    ]);
  });

  test('refuses a quantity that does not parse and a resource that is not a container resource', () => {
    const resources = { requests: { cpu: 'lots', pods: '1' } };
    expect(podSpecErrors({ containers: [container({ resources })] })).toEqual([
      "spec.template.spec.containers[0].resources.requests[cpu]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      'spec.template.spec.containers[0].resources.requests[pods]: Invalid value: "pods": must be a standard resource for containers',
    ]);
  });

  test('refuses a negative runAsUser and allowPrivilegeEscalation false with privileged', () => {
    const securityContext = { runAsUser: -1, allowPrivilegeEscalation: false, privileged: true };
    const errors = podSpecErrors({ containers: [container({ securityContext })] });
    expect(errors[0]).toBe('spec.template.spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive');
    expect(errors[1]).toMatch(/^spec\.template\.spec\.containers\[0\]\.securityContext: Invalid value: .*: cannot set `allowPrivilegeEscalation` to false and `privileged` to true$/);
  });

  test('refuses tolerations that break the operator, value and effect rules', () => {
    const tolerations = [
      { operator: 'Equal', value: 'x' },
      { key: 'k', operator: 'Exists', value: 'v' },
      { key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule', tolerationSeconds: 30 },
      { key: 'k', operator: 'Is' },
      { key: 'k', effect: 'Never' },
    ];
    expect(podSpecErrors({ tolerations })).toEqual([
      'spec.template.spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      "spec.template.spec.tolerations[1].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
      "spec.template.spec.tolerations[2].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
      'spec.template.spec.tolerations[3].operator: Unsupported value: "Is": supported values: "Equal", "Exists"',
      'spec.template.spec.tolerations[4].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ]);
  });

  test('refuses a topology spread constraint with maxSkew 0, no topologyKey and an unknown whenUnsatisfiable', () => {
    const topologySpreadConstraints = [{ maxSkew: 0, whenUnsatisfiable: 'Maybe', labelSelector: { matchLabels: { app: 'backend' } } }];
    expect(podSpecErrors({ topologySpreadConstraints })).toEqual([
      'spec.template.spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero',
      'spec.template.spec.topologySpreadConstraints[0].topologyKey: Required value: can not be empty',
      'spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"',
    ]);
  });

  test('accepts matchLabelKeys beside a label selector', () => {
    const topologySpreadConstraints = [
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'backend' } }, matchLabelKeys: ['pod-template-hash'] },
    ];
    expect(podSpecErrors({ topologySpreadConstraints })).toEqual([]);
  });

  test('refuses an unknown restartPolicy and dnsPolicy', () => {
    expect(podSpecErrors({ restartPolicy: 'Sometimes', dnsPolicy: 'Google' })).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.template.spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ]);
  });

  test('refuses an invalid serviceAccountName and a pod without containers', () => {
    expect(podSpecErrors({ containers: [], serviceAccountName: 'Backend' })).toEqual([
      'spec.template.spec.containers: Required value',
      expect.stringMatching(/^spec\.template\.spec\.serviceAccountName: Invalid value: "Backend": a lowercase RFC 1123 subdomain/),
    ]);
  });
});

describe('ValidateService', () => {
  const service = (spec: Record<string, any>) => ({ apiVersion: 'v1', kind: 'Service', metadata: meta('backend'), spec });

  test('accepts named ports with IANA target ports and a valid selector', () => {
    const spec = { selector: { app: 'backend' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090, targetPort: 9090 }] };
    expect(errorsOf('API-SERVICE', service(spec))).toEqual([]);
  });

  test('requires names when there are several ports, and unique ones', () => {
    const spec = { ports: [{ port: 80 }, { name: 'a', port: 81 }, { name: 'a', port: 82 }] };
    expect(errorsOf('API-SERVICE', service(spec))).toEqual(['spec.ports[0].name: Required value', 'spec.ports[2].name: Duplicate value: "a"']);
  });

  test('refuses a port out of range, a bad targetPort, an unknown protocol and a duplicate port', () => {
    const spec = { ports: [{ name: 'a', port: 0, targetPort: 'HTTP_PORT', protocol: 'ICMP' }, { name: 'b', port: 80 }, { name: 'c', port: 80 }] };
    expect(errorsOf('API-SERVICE', service(spec))).toEqual([
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      'spec.ports[0].targetPort: Invalid value: "HTTP_PORT": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.ports[0].targetPort: Invalid value: "HTTP_PORT": must contain at least one letter (a-z)',
      'spec.ports[2]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ]);
  });

  test('refuses an unknown type, invalid selector labels and clusterIP None on a NodePort service', () => {
    expect(errorsOf('API-SERVICE', service({ type: 'Internal', ports: [{ port: 80 }] }))).toEqual([
      'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ]);
    expect(errorsOf('API-SERVICE', service({ ports: [{ port: 80 }], selector: { app: 'a b' } }))[0]).toMatch(/^spec\.selector: Invalid value: "a b"/);
    expect(errorsOf('API-SERVICE', service({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] }))).toEqual([
      "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
    ]);
  });

  test('lets a headless service go without ports, but not a ClusterIP one', () => {
    expect(errorsOf('API-SERVICE', service({ clusterIP: 'None', selector: { app: 'kafka' } }))).toEqual([]);
    expect(errorsOf('API-SERVICE', service({ selector: { app: 'kafka' } }))).toEqual(['spec.ports: Required value']);
  });
});

describe('ValidateConfigMap', () => {
  const configMap = (rest: Record<string, any>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('backend-config'), ...rest });

  test('accepts string data under valid keys', () => {
    expect(errorsOf('API-CONFIG-MAP', configMap({ data: { 'application.yaml': 'a: 1', FEATURE: 'yes' }, binaryData: { 'logo.png': 'aGVsbG8=' } }))).toEqual([]);
  });

  test('refuses a data value that YAML turned into a boolean', () => {
    expect(errorsOf('API-CONFIG-MAP', configMap({ data: { FEATURE: true } }))).toEqual([
      'data[FEATURE]: Invalid value: true: json: cannot unmarshal bool into Go value of type string',
    ]);
  });

  test('refuses an invalid key and a key in both data and binaryData', () => {
    expect(errorsOf('API-CONFIG-MAP', configMap({ data: { 'a b': 'x', logo: 'x' }, binaryData: { logo: 'aGVsbG8=' } }))).toEqual([
      expect.stringMatching(/^data\[a b\]: Invalid value: "a b": a valid config key must consist of alphanumeric characters/),
      'data[logo]: Invalid value: "logo": duplicate of key present in binaryData',
    ]);
  });

  test('refuses more than 1 MiB of data', () => {
    expect(errorsOf('API-CONFIG-MAP', configMap({ data: { big: 'x'.repeat(1024 * 1024 + 1) } }))).toEqual([': Too long: must have at most 1048576 bytes']);
  });
});

describe('ValidateLimitRange', () => {
  const limitRange = (limits: any[]) => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: meta('defaults'), spec: { limits } });

  test('accepts ordered min, defaultRequest, default and max', () => {
    const limits = [{ type: 'Container', min: { cpu: '50m' }, defaultRequest: { cpu: '100m' }, default: { cpu: '500m' }, max: { cpu: '2' } }];
    expect(errorsOf('API-LIMIT-RANGE', limitRange(limits))).toEqual([]);
  });

  test('refuses a default request above the default limit, an unknown type and defaults on Pod limits', () => {
    expect(errorsOf('API-LIMIT-RANGE', limitRange([{ type: 'Container', defaultRequest: { memory: '1Gi' }, default: { memory: '512Mi' } }]))).toEqual([
      'spec.limits[0].defaultRequest[memory]: Invalid value: 1Gi: default request value 1Gi is greater than default limit value 512Mi',
    ]);
    expect(errorsOf('API-LIMIT-RANGE', limitRange([{ type: 'Node' }]))).toEqual(['spec.limits[0].type: Invalid value: "Node": must be a standard limit type or fully qualified']);
    expect(errorsOf('API-LIMIT-RANGE', limitRange([{ type: 'Pod', default: { cpu: '1' } }]))).toEqual([
      "spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'",
    ]);
  });
});

describe('ValidateNamespace', () => {
  const namespace = (rest: Record<string, any>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'chat-dev' }, ...rest });

  test('accepts the standard kubernetes finalizer', () => {
    expect(errorsOf('API-NAMESPACE', namespace({ spec: { finalizers: ['kubernetes'] } }))).toEqual([]);
    expect(errorsOf('API-OBJECT-META', namespace({}))).toEqual([]);
  });

  test('refuses an unqualified, non-standard finalizer, and a namespace set on the cluster-scoped Namespace is ignored', () => {
    expect(errorsOf('API-NAMESPACE', namespace({ spec: { finalizers: ['cleanup'] } }))).toEqual([
      'spec.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
    ]);
    expect(errorsOf('API-OBJECT-META', namespace({ metadata: { name: 'chat-dev', namespace: 'default' } }))).toEqual([]);
  });
});

describe('ValidateServiceAccount', () => {
  const serviceAccount = (name: string) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name) });

  test('accepts a DNS-1123 subdomain name', () => {
    expect(errorsOf('API-OBJECT-META', serviceAccount('backend.api'))).toEqual([]);
  });

  test('refuses a name that is not one (ObjectMeta is all it validates)', () => {
    expect(errorsOf('API-OBJECT-META', serviceAccount('backend_api'))[0]).toMatch(/^metadata\.name: Invalid value: "backend_api": a lowercase RFC 1123 subdomain/);
  });
});

describe('the API-server rules in validation', () => {
  test('report through validateTree once per object, with the rule id and the API server message', () => {
    const bad = deployment({ containers: [container({ ports: [{ name: 'averyveryverylongname', containerPort: 8080 }], readinessProbe: undefined, livenessProbe: undefined })] });
    const good = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('backend-config'), data: { a: 'b' } };
    const report = validateTree(
      [treeObject('envs/dev/backend/Deployment-backend.yaml', bad), treeObject('envs/dev/backend/ConfigMap-backend-config.yaml', good)],
      { rules: apiServerRules(CORE_API_RULES) },
    );
    expect(report.findings.map((f) => `${f.rule} ${f.message}`)).toEqual([
      'API-POD-SPEC spec.template.spec.containers[0].ports[0].name: Invalid value: "averyveryverylongname": must be no more than 15 characters',
    ]);
  });

  test('every rule names the Go function it mirrors and what it checks', () => {
    for (const r of CORE_API_RULES) {
      expect(r.id).toMatch(/^API-[A-Z-]+$/);
      expect(r.mirrors).toMatch(/^Validate\w+ \(/);
      expect(r.checks.length).toBeGreaterThan(20);
    }
  });
});
