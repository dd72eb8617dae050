import { Construct } from 'constructs';
import { KubePriorityClass } from '../imports/k8s';
import { clusterScoped } from '../constructs/chart-namespace';
import { NetworkBaseline } from '../constructs/network-baseline';
import { allowIngress } from '../constructs/network-flow';
import { ExternalPods, namespacePods, tcpPorts } from '../constructs/network-peer';
import { RecommendedLabels } from '../constructs/recommended-labels';
import { RestrictedNamespace } from '../constructs/restricted-namespace';
import { NamespacePods, networkSettings } from '../lib/environment/environment';
import { PROTECTED_FROM_DELETION } from '../lib/tree/deletion';
import { EXEMPT_PREFIX, externalAnnotation } from '../lib/tree/annotations';
import { ComponentChart, ComponentChartProps } from './component-chart';

/**
 * cert-manager's HTTP-01 solver pods: the label cert-manager marks each with (`SolverIdentificationLabelKey`,
 * pkg/apis/acme/v1/types.go) and the port its acmesolver listens on (`acmeSolverListenPort`,
 * pkg/issuer/acme/http/http.go).
 */
const HTTP01_SOLVER = { name: 'acme-http01-solver', podLabels: { 'acme.cert-manager.io/http01-solver': 'true' }, port: 8089 } as const;

/**
 * What every component of an environment stands on: its namespace (restricted Pod Security,
 * container defaults, the default-deny network baseline and the platform traffic it lets through)
 * and the PriorityClass of its pods.
 */
export class PlatformChart extends ComponentChart {
  public readonly restrictedNamespace: RestrictedNamespace;
  /**
   * Annotations a workload carries to declare the objects it uses that are created out of band,
   * never in git (the registry pull Secret).
   */
  public readonly externalObjects: Record<string, string>;
  /** Name of the PriorityClass the environment's workloads run with. */
  public readonly priorityClassName: string;
  /** The namespace's default deny and the DNS it lets out. */
  public readonly network: NetworkBaseline;

  constructor(scope: Construct, props: ComponentChartProps) {
    super(scope, 'platform', props);
    const env = props.environment;
    const labels = RecommendedLabels.of(this, { name: 'platform', component: 'platform' }).all;
    // Deleting the namespace deletes everything in it, the Kafka volumes and the out-of-band
    // Secrets included: never Argo CD's decision alone.
    this.restrictedNamespace = new RestrictedNamespace(this, 'Namespace', {
      name: env.namespace,
      labels,
      annotations: { ...PROTECTED_FROM_DELETION },
    });
    const network = networkSettings(env);
    this.network = new NetworkBaseline(this, 'Network', { labels, dnsCacheAddresses: network.nodeLocalDnsAddresses });
    if (network.http01SolverClients) this.allowHttp01Solver(labels, network.http01SolverClients);
    // Cluster-scoped: the environment's namespace in the name keeps environments that share a
    // cluster from overwriting each other's class.
    this.priorityClassName = `${env.namespace}-workloads`;
    this.externalObjects = {
      [externalAnnotation('Secret', env.imagePullSecret)]: 'registry pull secret, created out of band in the namespace (README: "Image pull secret")',
    };
    clusterScoped(new KubePriorityClass(this, 'PriorityClass', {
      metadata: { name: this.priorityClassName, labels },
      value: env.priority,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: `Workloads of the ${env.name} chat platform`,
    }));
  }

  /**
   * Lets the edge reach the HTTP-01 solver pods cert-manager creates in the namespace for a
   * Challenge: the ACME server and cert-manager's own self-check both fetch
   * `http://<host>/.well-known/acme-challenge/<token>` from the public address, so the requests
   * arrive from the ingress controller (or Gateway) pods. The solver opens no connection itself, so
   * it needs no egress.
   */
  private allowHttp01Solver(labels: Record<string, string>, from: NamespacePods): void {
    const solver = new ExternalPods(this, 'Http01Solver', { name: HTTP01_SOLVER.name, podLabels: { ...HTTP01_SOLVER.podLabels }, ports: tcpPorts(HTTP01_SOLVER.port), labels });
    const policy = allowIngress(solver, 'edge', [namespacePods(from)]);
    // REF-NETPOL-SELECTOR wants a workload of the tree behind every selector; these pods are cert-manager's.
    policy.metadata.addAnnotation(`${EXEMPT_PREFIX}REF-NETPOL-SELECTOR`, 'selects the HTTP-01 solver pods cert-manager creates while a Challenge is pending; they are never in git');
  }
}
