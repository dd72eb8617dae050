/**
 * Sizing rules of a KRaft Kafka cluster where every broker is also a controller: the broker count
 * is the quorum's size, and a topic's replicas live on distinct brokers. Each returns what is
 * allowed, or `undefined` when the value is fine.
 */

/**
 * A quorum of an even size survives no more failures than the odd one below it, so its last
 * member buys nothing but another voter to wait for.
 */
export function quorumSizeProblem(brokers: unknown): string | undefined {
  if (typeof brokers !== 'number' || !Number.isInteger(brokers) || brokers < 1) return 'an integer ≥ 1';
  if (brokers > 1 && brokers % 2 === 0) {
    return (
      `1 or an odd number such as ${brokers - 1} or ${brokers + 1}: every broker is a KRaft controller, and an even ` +
      'quorum survives no more failures than the odd one below it'
    );
  }
  return undefined;
}

/** Each replica of a partition lives on another broker, so there are at most as many as brokers. */
export function replicationFactorProblem(replicationFactor: unknown, brokers: number, brokersField = 'the number of brokers'): string | undefined {
  if (typeof replicationFactor === 'number' && Number.isInteger(replicationFactor) && replicationFactor >= 1 && replicationFactor <= brokers) {
    return undefined;
  }
  return `an integer from 1 to ${brokersField} (${brokers}): each replica of a partition lives on another broker`;
}

/**
 * More in-sync replicas than replicas refuses every `acks=all` write; with more than one broker,
 * as many as replicas stops every such write while a single broker is down (a rolling restart).
 */
export function minInSyncReplicasProblem(minInSyncReplicas: unknown, replicationFactor: number, brokers: number): string | undefined {
  const isr = minInSyncReplicas;
  if (typeof isr !== 'number' || !Number.isInteger(isr) || isr < 1) return 'an integer ≥ 1';
  if (brokers > 1 && isr >= replicationFactor) {
    return (
      `below replicationFactor (${replicationFactor}) with ${brokers} brokers, so writes go on while one broker is down` +
      (replicationFactor === 1 ? '; raise replicationFactor first' : '')
    );
  }
  if (isr > replicationFactor) return `at most replicationFactor (${replicationFactor}): more in-sync replicas than replicas refuses every write`;
  return undefined;
}
