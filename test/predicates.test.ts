import { cidrContains, cidrNetwork, cidrProblem, ipFamily, parseCidr } from '../lib/predicates/cidr';
import {
  DNS_1123_LABEL_PATTERN,
  DNS_1123_SUBDOMAIN_PATTERN,
  DNS_1035_LABEL_PATTERN,
  HOST_NAME_PATTERN,
  dns1035LabelProblem,
  dns1123LabelProblem,
  dns1123SubdomainProblem,
  hostNameProblem,
} from '../lib/predicates/dns-names';
import { failFor, invalidValue } from '../lib/predicates/invalid-value';
import { minInSyncReplicasProblem, quorumSizeProblem, replicationFactorProblem } from '../lib/predicates/kafka-sizing';
import { labelValueProblem } from '../lib/predicates/label-value';
import { portProblem } from '../lib/predicates/port';
import { parseCpu, parseMemory } from '../lib/predicates/quantity';
import { minReplicasProblem } from '../lib/predicates/replica-range';

describe('DNS-1123 labels', () => {
  test.each(['a', 'chat', 'chat-dev', '0', 'a1-b2', 'a'.repeat(63)])('%j is a label', (name) => {
    expect(dns1123LabelProblem(name)).toBeUndefined();
  });

  test.each(['', 'Chat', 'chat_dev', '-chat', 'chat-', 'chat.dev', 'a'.repeat(64), 'é'])('%j is not a label, and the answer says what one is', (name) => {
    expect(dns1123LabelProblem(name)).toMatch(/^a DNS-1123 label: at most 63 characters/);
  });

  test('a lower length limit is kept and named', () => {
    expect(dns1123LabelProblem('a'.repeat(50), 50)).toBeUndefined();
    expect(dns1123LabelProblem('a'.repeat(51), 50)).toMatch(/^a DNS-1123 label: at most 50 characters/);
  });

  test('a value that is not a string is refused, not thrown on', () => {
    expect(dns1123LabelProblem(42)).toBeDefined();
  });
});

describe('DNS-1123 subdomains', () => {
  const label = 'a'.repeat(63);
  test.each(['a', 'chat.example.com', 'nginx', 'a-b.c-d', `${label}.${label}.${label}.${'a'.repeat(61)}`])('%j is a subdomain', (name) => {
    expect(dns1123SubdomainProblem(name)).toBeUndefined();
  });

  test.each(['', 'Chat.example.com', 'chat..example', '.chat', 'chat.', 'chat_x.com', '-a.b', `${label}.${label}.${label}.${'a'.repeat(62)}`])(
    '%j is not a subdomain',
    (name) => {
      expect(dns1123SubdomainProblem(name)).toMatch(/^a DNS-1123 subdomain: at most 253 characters/);
    },
  );

  test('the limit is 253 characters, as the API server has it', () => {
    const name253 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(name253).toHaveLength(253);
    expect(dns1123SubdomainProblem(name253)).toBeUndefined();
    expect(dns1123SubdomainProblem(`${name253}e`)).toBeDefined();
    expect(`${name253}e`).toHaveLength(254);
  });
});

describe('DNS-1035 labels', () => {
  test.each(['a', 'my-name', 'abc-123', 'a'.repeat(63)])('%j is a DNS-1035 label', (name) => {
    expect(dns1035LabelProblem(name)).toBeUndefined();
  });

  test.each(['1abc', 'My-name', 'a-', '', 'a'.repeat(64)])('%j is not a DNS-1035 label', (name) => {
    expect(dns1035LabelProblem(name)).toMatch(/^a DNS-1035 label: .*starting with a letter/);
  });
});

describe('host names', () => {
  test('each label of a host name is at most 63 characters', () => {
    expect(hostNameProblem(`${'a'.repeat(63)}.example.com`)).toBeUndefined();
    expect(hostNameProblem(`${'a'.repeat(64)}.example.com`)).toMatch(/^a lowercase DNS host name/);
    expect(dns1123SubdomainProblem(`${'a'.repeat(64)}.example.com`)).toBeUndefined();
  });

  test('an upper-case host name is refused', () => {
    expect(hostNameProblem('Chat.example.com')).toBeDefined();
  });
});

describe('DNS patterns for JSON schemas', () => {
  test.each([
    [DNS_1123_LABEL_PATTERN, dns1123LabelProblem],
    [DNS_1123_SUBDOMAIN_PATTERN, dns1123SubdomainProblem],
    [DNS_1035_LABEL_PATTERN, dns1035LabelProblem],
    [HOST_NAME_PATTERN, hostNameProblem],
  ] as const)('pattern %s agrees with its predicate on names within the length limit', (pattern, problem) => {
    const re = new RegExp(pattern);
    for (const name of ['a', 'chat', 'Chat', '1a', 'a.b', 'a..b', '-a', 'a-', 'a_b', 'chat.example.com', '']) {
      expect(re.test(name)).toBe(problem(name) === undefined);
    }
  });
});

describe('CIDRs', () => {
  test.each([
    ['10.0.0.0/8', 4, 8],
    ['0.0.0.0/0', 4, 0],
    ['192.168.1.1/32', 4, 32],
    ['::/0', 6, 0],
    ['fe80::1/128', 6, 128],
    ['2001:db8::/32', 6, 32],
    ['1:2:3:4:5:6:7:8/64', 6, 64],
    ['::ffff:10.0.0.1/128', 6, 128],
  ])('%j is a CIDR', (cidr, family, prefixLength) => {
    expect(cidrProblem(cidr)).toBeUndefined();
    expect(parseCidr(cidr)).toEqual({ family, address: cidr.split('/')[0], prefixLength });
  });

  test.each([
    '999.1.1.1/99',
    '256.0.0.0/8',
    '10.0.0.0/33',
    '10.0.0/8',
    '010.0.0.0/8',
    '10.0.0.0',
    '10.0.0.0/',
    '10.0.0.0/-1',
    '10.0.0.0/8/8',
    'fe80::1/129',
    '1:2:3:4:5:6:7:8:9/64',
    '1:2:3:4:5:6:7::8/64',
    '1::2::3/64',
    'fe80::1%eth0/64',
    '12345::/16',
    '::ffff:10.0.0.1:1/128',
    '',
  ])('%j is not a CIDR, and the answer says what one is', (cidr) => {
    expect(parseCidr(cidr)).toBeUndefined();
    expect(cidrProblem(cidr)).toMatch(/^an IPv4 or IPv6 address range/);
  });

  test('the address family agrees with node on plain addresses', () => {
    const { isIP } = require('node:net') as typeof import('node:net');
    for (const address of ['10.0.0.1', '255.255.255.255', '256.0.0.1', '01.2.3.4', '::', '::1', 'fe80::1', '1:2:3:4:5:6:7:8', '1::2::3', 'x', '']) {
      expect(ipFamily(address)).toBe(isIP(address));
    }
  });
});

describe('ports', () => {
  test.each([1, 80, 65535])('%j is a port', (port) => expect(portProblem(port)).toBeUndefined());
  test.each([0, -1, 65536, 8.5, NaN, '80'])('%j is not a port', (port) => expect(portProblem(port)).toBe('an integer from 1 to 65535'));

  test('an unprivileged port is 1024 or above', () => {
    expect(portProblem(1024, { unprivileged: true })).toBeUndefined();
    expect(portProblem(80, { unprivileged: true })).toBe('an integer from 1024 to 65535 (the process runs unprivileged)');
  });
});

describe('label values', () => {
  test.each(['', 'v1.4.2', 'My_Value', '12345', 'a'.repeat(63)])('%j is a label value', (value) => expect(labelValueProblem(value)).toBeUndefined());
  test.each(['-a', 'a-', 'a b', 'a/b', 'a'.repeat(64)])('%j is not a label value', (value) => expect(labelValueProblem(value)).toMatch(/^at most 63 characters/));
});

describe('quantities', () => {
  test('CPU and memory quantities parse into cores and bytes', () => {
    expect(parseCpu('250m')).toBe(0.25);
    expect(parseMemory('1Gi')).toBe(2 ** 30);
  });
});

describe('replica ranges', () => {
  test('a minimum up to the maximum is fine', () => {
    expect(minReplicasProblem(2, 4, 'replicas.max')).toBeUndefined();
    expect(minReplicasProblem(4, 4, 'replicas.max')).toBeUndefined();
  });

  test('a minimum above the maximum names the maximum', () => {
    expect(minReplicasProblem(5, 4, 'components.backend.replicas.max')).toBe('at most components.backend.replicas.max (4)');
  });

  test('a minimum below one is refused', () => {
    expect(minReplicasProblem(0, 4, 'replicas.max')).toBe('an integer ≥ 1');
  });
});

describe('Kafka sizing', () => {
  test.each([1, 3, 5])('a quorum of %j is fine', (n) => expect(quorumSizeProblem(n)).toBeUndefined());

  test('an even quorum is refused, naming the odd sizes around it', () => {
    expect(quorumSizeProblem(4)).toMatch(/^1 or an odd number such as 3 or 5: every broker is a KRaft controller/);
  });

  test.each([0, 1.5])('a quorum of %j is not a count', (n) => expect(quorumSizeProblem(n)).toBe('an integer ≥ 1'));

  test('a replication factor is at most the broker count', () => {
    expect(replicationFactorProblem(3, 3)).toBeUndefined();
    expect(replicationFactorProblem(4, 3)).toBe('an integer from 1 to the number of brokers (3): each replica of a partition lives on another broker');
    expect(replicationFactorProblem(3, 1, 'kafka.brokers')).toMatch(/^an integer from 1 to kafka\.brokers \(1\)/);
    expect(replicationFactorProblem(0, 3)).toBeDefined();
  });

  test('with several brokers, min in-sync replicas stays below the replication factor', () => {
    expect(minInSyncReplicasProblem(2, 3, 3)).toBeUndefined();
    expect(minInSyncReplicasProblem(3, 3, 3)).toBe('below replicationFactor (3) with 3 brokers, so writes go on while one broker is down');
    expect(minInSyncReplicasProblem(1, 1, 3)).toMatch(/; raise replicationFactor first$/);
  });

  test('with one broker, min in-sync replicas may equal the replication factor but not exceed it', () => {
    expect(minInSyncReplicasProblem(1, 1, 1)).toBeUndefined();
    expect(minInSyncReplicasProblem(2, 1, 1)).toBe('at most replicationFactor (1): more in-sync replicas than replicas refuses every write');
  });

  test('min in-sync replicas below one is refused', () => {
    expect(minInSyncReplicasProblem(0, 3, 3)).toBe('an integer ≥ 1');
  });
});

describe('the invalid-value message', () => {
  test('names the field, the value as JSON and what is allowed', () => {
    expect(invalidValue('kafka.brokers', 4, '1 or an odd number')).toBe('kafka.brokers: 4 — 1 or an odd number');
    expect(invalidValue('name', 'Chat', 'a label')).toBe('name: "Chat" — a label');
  });

  test('says a missing value is missing', () => {
    expect(invalidValue('host', undefined, 'required')).toBe('host: (missing) — required');
  });

  test('never echoes a credential', () => {
    expect(invalidValue('token', 'ghp_0123456789abcdefghijklmnopqrstuvwxyz', 'x')).not.toContain('0123456789');
  });

  test('a construct puts its kind and name in front', () => {
    expect(() => failFor('KafkaCluster', 'kafka')('replicas', 4, '1 or an odd number')).toThrow('KafkaCluster "kafka": replicas: 4 — 1 or an odd number');
  });
});

describe('cidrNetwork and cidrContains', () => {
  test.each([
    ['10.0.0.0/8', '10.1.0.0/16', true],
    ['10.0.0.0/8', '11.0.0.0/16', false],
    ['10.0.0.5/8', '10.200.0.0/24', true],
    ['2001:db8::/32', '2001:db8:1::/48', true],
    ['2001:db8::/32', '2001:db9::/48', false],
    ['::ffff:10.0.0.0/104', '::ffff:10.1.0.0/112', true],
    ['10.0.0.0/8', '::/0', false],
  ])('%s contains %s: %s', (outer, inner, expected) => {
    expect(cidrContains(cidrNetwork(outer)!, cidrNetwork(inner)!)).toBe(expected);
  });

  test('is undefined for what is no CIDR', () => {
    expect(cidrNetwork('999.1.1.1/99')).toBeUndefined();
  });
});
