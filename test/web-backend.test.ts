import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { NetworkPolicyPort } from '../imports/k8s';
import { tcpPorts } from '../constructs/network-peer';
import { ReverseProxy } from '../constructs/reverse-proxy';
import { IWebBackend } from '../constructs/web-backend';
import { WebIngress } from '../constructs/web-ingress';
import { testChart } from './support/test-chart';

/** A web backend that is no WebService: e.g. a workload another construct library makes. */
class OtherBackend extends Construct implements IWebBackend {
  public readonly name = 'legacy';
  public readonly namespace = 'shop';
  public readonly port = 8000;
  public readonly podPorts: readonly NetworkPolicyPort[] = tcpPorts(3000);
  public readonly labels = { selector: { app: 'legacy' }, all: { app: 'legacy', tier: 'web' } };
  public get serviceHost(): string {
    return `${this.name}.${this.namespace}.svc.cluster.local`;
  }
}

describe('a web backend that is not a WebService', () => {
  test('is routed to by a ReverseProxy through its Service host and port', () => {
    const chart = testChart();
    const backend = new OtherBackend(chart, 'legacy');
    const proxy = new ReverseProxy(chart, 'proxy', { name: 'web-nginx', routes: [{ kind: 'http', pathPrefix: '/api/', upstream: backend }] });
    expect(proxy.upstreams).toEqual([backend]);
    expect(proxy.config).toContain('server legacy.shop.svc.cluster.local:8000;');
    expect(proxy.config).toContain('proxy_pass http://legacy;');
  });

  test('is served by a WebIngress, which lets the controller through to its pods\' ports', () => {
    const chart = testChart();
    new WebIngress(chart, 'ingress', { service: new OtherBackend(chart, 'legacy'), host: 'legacy.example.com', tlsSecretName: 'legacy-tls' });
    const manifests = Testing.synth(chart);
    const ingress = manifests.find((m) => m.kind === 'Ingress');
    expect(ingress.metadata).toMatchObject({ name: 'legacy', namespace: 'shop', labels: { app: 'legacy', tier: 'web' } });
    expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'legacy', port: { number: 8000 } } });
    const policy = manifests.find((m) => m.kind === 'NetworkPolicy');
    expect(policy.metadata.name).toBe('legacy-from-ingress-controller');
    expect(policy.spec.podSelector).toEqual({ matchLabels: { app: 'legacy' } });
    expect(policy.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 3000 }]);
  });

  test('a ReverseProxy refuses an upstream without the members of a web backend', () => {
    const chart = testChart();
    const notABackend = { name: 'x', namespace: 'shop' } as unknown as IWebBackend;
    expect(() => new ReverseProxy(chart, 'proxy', { name: 'web', routes: [{ kind: 'http', pathPrefix: '/x/', upstream: notABackend }] })).toThrow(
      /routes\[0\]\.upstream.*a web backend construct such as a WebService/,
    );
  });
});
