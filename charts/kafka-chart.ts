import { Construct } from 'constructs';
import { KafkaCluster } from '../constructs/kafka-cluster';
import { KafkaTopics, KafkaTopicSpec } from '../constructs/kafka-topics';
import { PROTECTED_FROM_DELETION } from '../lib/tree/deletion';
import { imageVersion } from '../lib/environment/image-reference';
import { kafkaAuthentication } from '../lib/environment/environment';
import { kafkaClientServices } from '../lib/environment/service-settings';
import { ComponentChart, ComponentChartProps } from './component-chart';
import { PlatformChart } from './platform-chart';

export interface KafkaChartProps extends ComponentChartProps {
  readonly platform: PlatformChart;
}

/**
 * Secrets (created out of band, keys `username` and `password`) of the SCRAM users when the
 * environment's `kafka.authentication` is `scram-sha-512`: the brokers' own user, which the topic
 * Job's admin tools log in as too, and the backend's.
 */
export const KAFKA_BROKER_SECRET = 'kafka-broker-credentials';
export const KAFKA_BACKEND_SECRET = 'kafka-backend-credentials';
/** The client user name the backend asks the cluster for. */
export const KAFKA_BACKEND_USER = 'backend';
/**
 * The Secret of the Kafka user a service of `services:` that calls Kafka logs in as; its client
 * user name is the service's name. (`broker` is no service name, so this is never the brokers'.)
 */
export function kafkaServiceSecret(service: string): string {
  return `kafka-${service}-credentials`;
}

/**
 * The Kafka cluster chat messages fan out through (every backend pod consumes every message), and
 * the Job keeping its topics as the environment declares them.
 */
export class KafkaChart extends ComponentChart {
  public readonly cluster: KafkaCluster;
  public readonly topics: KafkaTopics;
  /** The topic chat messages are published to and consumed from. */
  public readonly chatTopic: KafkaTopicSpec;

  constructor(scope: Construct, props: KafkaChartProps) {
    super(scope, 'kafka', props);
    const env = props.environment;
    const settings = env.kafka;
    this.cluster = new KafkaCluster(this, 'Cluster', {
      name: 'kafka',
      image: settings.image,
      version: imageVersion(settings.image),
      replicas: settings.brokers,
      storage: settings.storage,
      resources: settings.resources,
      priorityClassName: props.platform.priorityClassName,
      // The brokers' volumes are the chat history: neither a pruned StatefulSet nor a deleted
      // Application may take the StatefulSet along (its claims are retained, and live as long as
      // the namespace, which is protected the same way).
      annotations: { ...PROTECTED_FROM_DELETION },
      ...(kafkaAuthentication(env) === 'scram-sha-512'
        ? {
            authentication: {
              mechanism: 'SCRAM-SHA-512',
              brokerSecret: KAFKA_BROKER_SECRET,
              clientSecrets: {
                [KAFKA_BACKEND_USER]: KAFKA_BACKEND_SECRET,
                ...Object.fromEntries(kafkaClientServices(env).map((service) => [service, kafkaServiceSecret(service)])),
              },
            },
          }
        : {}),
    });
    this.topics = new KafkaTopics(this, 'Topics', {
      cluster: this.cluster,
      topics: settings.topics,
      priorityClassName: props.platform.priorityClassName,
    });
    this.chatTopic = this.topics.topic(settings.chatTopic);
  }
}
