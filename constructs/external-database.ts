import { Construct } from 'constructs';
import { EnvVar, IntOrString, KubeNetworkPolicy, KubeService, NetworkPolicyPort } from '../imports/k8s';
import { NetworkPeer } from './network-peer';
import { RecommendedLabels } from './recommended-labels';

/** Database engines, with the JDBC scheme their drivers register. */
const JDBC_SCHEMES = { postgresql: 'postgresql', mysql: 'mysql', mariadb: 'mariadb' } as const;

export type DatabaseEngine = keyof typeof JDBC_SCHEMES;

export interface ExternalDatabaseProps {
  /**
   * Name of the ExternalName Service clients connect through, a DNS-1123 label. Clients use this
   * stable in-cluster name, so moving the database changes one object, not every client.
   * @default 'database'
   */
  readonly name?: string;
  /** Namespace of the Service, and of the clients' policies. */
  readonly namespace: string;
  /** `app.kubernetes.io/part-of` label value. */
  readonly partOf: string;
  readonly engine: DatabaseEngine;
  /** DNS name of the database outside the cluster (e.g. a managed database's endpoint). */
  readonly host: string;
  /** Port the database listens on. */
  readonly port: number;
  /** Name of the database (schema) clients use. */
  readonly databaseName: string;
  /**
   * Secret holding the credentials, created out of band and never in git; clients must declare
   * it external.
   */
  readonly credentialsSecret: string;
  /** Key of the user name in `credentialsSecret`. @default 'username' */
  readonly usernameKey?: string;
  /** Key of the password in `credentialsSecret`. @default 'password' */
  readonly passwordKey?: string;
  /**
   * Address ranges the database's addresses fall in, which clients may reach on its port.
   * @default - any address: a managed database's addresses change without notice
   */
  readonly allowedCidrs?: string[];
  /** DNS domain of the cluster. @default 'cluster.local' */
  readonly clusterDomain?: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HOST_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9A-Fa-f:]+\/\d{1,3}$/;

/**
 * A database run outside the cluster (a managed service), given a stable in-cluster name by an
 * ExternalName Service. Clients get its JDBC URL and credential references from here, and are let
 * out to its port through `allowFrom`.
 */
export class ExternalDatabase extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly engine: DatabaseEngine;
  public readonly port: number;
  public readonly databaseName: string;
  public readonly credentialsSecret: string;
  public readonly usernameKey: string;
  public readonly passwordKey: string;
  public readonly service: KubeService;
  private readonly clusterDomain: string;
  private readonly allowedCidrs?: string[];

  constructor(scope: Construct, id: string, props: ExternalDatabaseProps) {
    super(scope, id);
    this.name = props.name ?? 'database';
    this.namespace = props.namespace;
    this.engine = props.engine;
    this.port = props.port;
    this.databaseName = props.databaseName;
    this.credentialsSecret = props.credentialsSecret;
    this.usernameKey = props.usernameKey ?? 'username';
    this.passwordKey = props.passwordKey ?? 'password';
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    this.allowedCidrs = props.allowedCidrs;
    validateProps(this.name, props);

    const labels = new RecommendedLabels({ name: this.name, component: 'database', partOf: props.partOf });
    this.service = new KubeService(this, 'Service', {
      metadata: { name: this.name, namespace: props.namespace, labels: { ...labels.all } },
      spec: {
        type: 'ExternalName',
        externalName: props.host,
        // Informational for ExternalName: the cluster DNS answers with a CNAME, any port goes.
        ports: [{ name: 'db', port: props.port, protocol: 'TCP' }],
      },
    });
  }

  /** The Service's in-cluster DNS name, an alias of the database's own host. */
  public get serviceHost(): string {
    return `${this.name}.${this.namespace}.svc.${this.clusterDomain}`;
  }

  /** JDBC URL of the database through the in-cluster name. */
  public get jdbcUrl(): string {
    return `jdbc:${JDBC_SCHEMES[this.engine]}://${this.serviceHost}:${this.port}/${this.databaseName}`;
  }

  /** Environment variables reading the user name and password from the credentials Secret. */
  public credentialsEnv(names: { readonly username: string; readonly password: string }): EnvVar[] {
    return [
      { name: names.username, valueFrom: { secretKeyRef: { name: this.credentialsSecret, key: this.usernameKey } } },
      { name: names.password, valueFrom: { secretKeyRef: { name: this.credentialsSecret, key: this.passwordKey } } },
    ];
  }

  /**
   * Lets `peer`'s pods open connections to the database's port (and no other port), through an
   * egress policy in the peer's scope.
   */
  public allowFrom(peer: NetworkPeer): void {
    const ports: NetworkPolicyPort[] = [{ protocol: 'TCP', port: IntOrString.fromNumber(this.port) }];
    new KubeNetworkPolicy(peer, `AllowTo-${this.node.addr}`, {
      metadata: { name: `${peer.name}-to-${this.name}`, namespace: peer.namespace, labels: { ...peer.labels.all } },
      spec: {
        podSelector: { matchLabels: { ...peer.labels.selector } },
        policyTypes: ['Egress'],
        egress: [
          this.allowedCidrs
            ? { to: this.allowedCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports }
            : { ports },
        ],
      },
    });
  }
}

function validateProps(name: string, props: ExternalDatabaseProps): void {
  const fail = (field: string, given: unknown, allowed: string): never => {
    throw new Error(`ExternalDatabase "${name}": ${field} is ${JSON.stringify(given)}; allowed: ${allowed}`);
  };
  if (name.length > 63 || !DNS1123_LABEL.test(name)) fail('name', name, 'a DNS-1123 label (lowercase alphanumerics and "-", at most 63 characters)');
  if (!Object.prototype.hasOwnProperty.call(JDBC_SCHEMES, props.engine)) fail('engine', props.engine, `one of ${Object.keys(JDBC_SCHEMES).join(', ')}`);
  if (props.host.length > 253 || !HOST_NAME.test(props.host)) fail('host', props.host, 'a lowercase DNS host name, without scheme or port');
  if (!Number.isInteger(props.port) || props.port < 1 || props.port > 65535) fail('port', props.port, 'an integer from 1 to 65535');
  if (!DATABASE_NAME.test(props.databaseName)) fail('databaseName', props.databaseName, 'letters, digits and "_", not starting with a digit, at most 63');
  if (props.credentialsSecret.length > 253 || !DNS1123_SUBDOMAIN.test(props.credentialsSecret)) {
    fail('credentialsSecret', props.credentialsSecret, 'a Secret name (DNS-1123 subdomain)');
  }
  if (props.allowedCidrs !== undefined) {
    if (props.allowedCidrs.length === 0) fail('allowedCidrs', props.allowedCidrs, 'at least one CIDR, or leave it out to allow any address');
    for (const cidr of props.allowedCidrs) if (!CIDR.test(cidr)) fail('allowedCidrs', cidr, 'CIDRs such as 10.0.0.0/16');
  }
}
