import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { NetworkPolicyPort } from '../imports/k8s';
import { allowEgress, allowFlow, allowIngress } from '../constructs/network-flow';
import { ExternalPods, NetworkPeer, namespacePods, tcpPorts } from '../constructs/network-peer';
import { testChart } from './support/test-chart';

/** The smallest NetworkPeer: no workload behind it, only what a policy needs. */
class Peer extends Construct implements NetworkPeer {
  public readonly namespace: string;
  public readonly labels: { selector: Record<string, string>; all: Record<string, string> };
  constructor(scope: Chart, public readonly name: string, public readonly podPorts: readonly NetworkPolicyPort[] = tcpPorts(8080)) {
    super(scope, name);
    this.namespace = scope.namespace!;
    this.labels = { selector: { app: name }, all: { app: name, team: 'core' } };
  }
}

const policies = (chart: Chart) => Object.fromEntries(Testing.synth(chart).map((m) => [m.metadata.name, m]));

describe('allowFlow', () => {
  test('makes both sides: the ingress policy in the target\'s scope and the egress policy in the source\'s', () => {
    const chart = testChart();
    const web = new Peer(chart, 'web');
    const api = new Peer(chart, 'api');
    const flow = allowFlow(web, api);
    expect(flow.ingress.node.scope).toBe(api);
    expect(flow.egress.node.scope).toBe(web);
    expect(Object.keys(policies(chart)).sort()).toEqual(['api-from-web', 'web-to-api']);
  });

  test('names the policies <to>-from-<from> and <from>-to-<to>, selecting each owner\'s pods', () => {
    const chart = testChart();
    allowFlow(new Peer(chart, 'web'), new Peer(chart, 'api'));
    const p = policies(chart);
    expect(p['api-from-web'].spec).toEqual({
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    expect(p['web-to-api'].spec).toEqual({
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    expect(p['api-from-web'].metadata.labels).toMatchObject({ app: 'api', team: 'core' });
    expect(p['web-to-api'].metadata.labels).toMatchObject({ app: 'web', team: 'core' });
  });

  test('across namespaces, each side selects the other\'s namespace too and lands in its own', () => {
    const app = new App();
    const front = testChart('front', { app, id: 'front' });
    const back = testChart('back', { app, id: 'back' });
    allowFlow(new Peer(front, 'web'), new Peer(back, 'api'));
    const ingress = policies(back)['api-from-web'];
    const egress = policies(front)['web-to-api'];
    expect(ingress.metadata.namespace).toBe('back');
    expect(egress.metadata.namespace).toBe('front');
    expect(ingress.spec.ingress[0].from).toEqual([
      { podSelector: { matchLabels: { app: 'web' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'front' } } },
    ]);
    expect(egress.spec.egress[0].to).toEqual([
      { podSelector: { matchLabels: { app: 'api' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'back' } } },
    ]);
  });

  test('opens the ports it is given instead of every port the target serves', () => {
    const chart = testChart();
    allowFlow(new Peer(chart, 'web'), new Peer(chart, 'api', tcpPorts(8080, 9090)), tcpPorts(9090));
    expect(policies(chart)['api-from-web'].spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9090 }]);
    expect(policies(chart)['web-to-api'].spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 9090 }]);
  });

  test('refuses a target that serves no port', () => {
    const chart = testChart();
    expect(() => allowFlow(new Peer(chart, 'web'), new Peer(chart, 'job', []))).toThrow('"job" serves no port');
  });
});

describe('allowIngress', () => {
  test('lets pods of another namespace in, with one policy in the target\'s scope', () => {
    const chart = testChart();
    allowIngress(new Peer(chart, 'api'), 'ingress-controller', [namespacePods({ namespace: 'ingress-nginx', podLabels: { app: 'nginx' } })]);
    expect(policies(chart)['api-from-ingress-controller'].spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { app: 'nginx' } } }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
    ]);
  });
});

describe('allowEgress', () => {
  test('lets the source out to an address-based target on its ports, one policy in the source\'s scope', () => {
    const chart = testChart();
    allowEgress(new Peer(chart, 'api'), { name: 'database', addresses: [{ cidr: '10.1.0.0/16' }], ports: tcpPorts(5432) });
    const p = policies(chart);
    expect(Object.keys(p)).toEqual(['api-to-database']);
    expect(p['api-to-database'].spec).toEqual({
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.1.0.0/16' } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
  });

  test('without addresses, allows any address on the target\'s ports only', () => {
    const chart = testChart();
    allowEgress(new Peer(chart, 'api'), { name: 'database', ports: tcpPorts(5432) });
    expect(policies(chart)['api-to-database'].spec.egress).toEqual([{ ports: [{ protocol: 'TCP', port: 5432 }] }]);
  });
});

describe('ExternalPods', () => {
  const solver = (chart: Chart, podLabels: Record<string, string> = { 'example.com/solver': 'true' }, ports = tcpPorts(8089)) =>
    new ExternalPods(chart, 'solver', { name: 'solver', podLabels, ports, labels: { team: 'core' } });

  test('lets policies select pods the tree does not hold, by their labels, on their ports', () => {
    const chart = testChart();
    const policy = allowIngress(solver(chart), 'edge', [namespacePods({ namespace: 'ingress-nginx', podLabels: { app: 'nginx' } })]);
    expect(policy.node.scope).toBeInstanceOf(ExternalPods);
    const p = policies(chart)['solver-from-edge'];
    expect(p.metadata).toMatchObject({ namespace: 'shop', labels: { team: 'core' } });
    expect(p.spec).toEqual({
      podSelector: { matchLabels: { 'example.com/solver': 'true' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { app: 'nginx' } } }],
          ports: [{ protocol: 'TCP', port: 8089 }],
        },
      ],
    });
  });

  test('refuses an empty selector, which would select every pod of the namespace', () => {
    expect(() => solver(testChart(), {})).toThrow('ExternalPods "solver": podLabels: {} — at least one label the pods carry ({} would select every pod of the namespace)');
  });

  test('refuses a label key or value the API server would refuse', () => {
    expect(() => solver(testChart(), { 'a b': 'true' })).toThrow('ExternalPods "solver": podLabels["a b"]: "a b" — a label key:');
    expect(() => solver(testChart(), { app: '-x' })).toThrow('ExternalPods "solver": podLabels["app"]: "-x" — at most 63 characters');
  });

  test('refuses pods that accept no connection', () => {
    expect(() => solver(testChart(), undefined, [])).toThrow('ExternalPods "solver": ports: [] — at least one port the pods accept connections on');
  });
});
