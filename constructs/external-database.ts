import { Construct } from 'constructs';
import { EnvVar, IpBlock, KubeService, NetworkPolicyPort } from '../imports/k8s';
import { cidrProblem } from '../lib/predicates/cidr';
import { dns1123LabelProblem, dns1123SubdomainProblem, hostNameProblem } from '../lib/predicates/dns-names';
import { failFor } from '../lib/predicates/invalid-value';
import { portProblem } from '../lib/predicates/port';
import { chartNamespace } from './chart-namespace';
import { AddressTarget, allowEgress } from './network-flow';
import { NetworkPeer, tcpPorts } from './network-peer';
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

const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * A database run outside the cluster (a managed service), given a stable in-cluster name by an
 * ExternalName Service. Clients get its JDBC URL and credential references from here, and are let
 * out to its port through `allowFrom`. The Service lands in the chart's namespace.
 */
export class ExternalDatabase extends Construct implements AddressTarget {
  public readonly name: string;
  /** The chart's namespace, where the Service lands. */
  public readonly namespace: string;
  public readonly engine: DatabaseEngine;
  public readonly port: number;
  /** The database's port, the one clients are let out to. */
  public readonly ports: readonly NetworkPolicyPort[];
  /** Address ranges clients are let out to; `undefined` for any address. */
  public readonly addresses?: readonly IpBlock[];
  public readonly databaseName: string;
  public readonly credentialsSecret: string;
  public readonly usernameKey: string;
  public readonly passwordKey: string;
  public readonly service: KubeService;
  private readonly clusterDomain: string;

  constructor(scope: Construct, id: string, props: ExternalDatabaseProps) {
    super(scope, id);
    this.name = props.name ?? 'database';
    this.namespace = chartNamespace(this, `ExternalDatabase "${this.name}"`);
    this.engine = props.engine;
    this.port = props.port;
    this.ports = tcpPorts(props.port);
    this.databaseName = props.databaseName;
    this.credentialsSecret = props.credentialsSecret;
    this.usernameKey = props.usernameKey ?? 'username';
    this.passwordKey = props.passwordKey ?? 'password';
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    this.addresses = props.allowedCidrs?.map((cidr) => ({ cidr }));
    validateProps(this.name, props);

    const labels = RecommendedLabels.of(this, { name: this.name, component: 'database' });
    this.service = new KubeService(this, 'Service', {
      metadata: { name: this.name, namespace: this.namespace, labels: { ...labels.all } },
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
    allowEgress(peer, this);
  }
}

function validateProps(name: string, props: ExternalDatabaseProps): void {
  const fail = failFor('ExternalDatabase', name);
  const refuse = (field: string, value: unknown, problem: string | undefined): void => {
    if (problem !== undefined) fail(field, value, problem);
  };
  refuse('name', name, dns1123LabelProblem(name));
  if (!Object.prototype.hasOwnProperty.call(JDBC_SCHEMES, props.engine)) fail('engine', props.engine, `one of ${Object.keys(JDBC_SCHEMES).join(', ')}`);
  refuse('host', props.host, hostNameProblem(props.host));
  refuse('port', props.port, portProblem(props.port));
  if (!DATABASE_NAME.test(props.databaseName)) fail('databaseName', props.databaseName, 'letters, digits and "_", not starting with a digit, at most 63');
  refuse('credentialsSecret', props.credentialsSecret, dns1123SubdomainProblem(props.credentialsSecret));
  if (props.allowedCidrs !== undefined) {
    if (props.allowedCidrs.length === 0) fail('allowedCidrs', props.allowedCidrs, 'at least one CIDR, or leave it out to allow any address');
    props.allowedCidrs.forEach((cidr, i) => refuse(`allowedCidrs[${i}]`, cidr, cidrProblem(cidr)));
  }
}
