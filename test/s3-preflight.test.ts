import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CORSRule,
  CreateBucketCommand,
  GetBucketCorsCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { parseDocument } from 'yaml';
import { browserAccessGaps, describeGap, MANAGED_RULE_ID, withBrowserAccess } from '../lib/s3/browser-access';
import { bucketRegion } from '../lib/s3/bucket-preflight';
import { redactSecrets } from '../lib/s3/redact-secrets';
import { quietNodeVersionNotice } from '../lib/s3/s3-client';
import { resolveS3Target, S3TargetError } from '../lib/s3/s3-target';
import { Environment } from '../lib/environment/environment';
import { fixtureEnvironmentText } from './support/fixture-project';

// s3rver has no type declarations.
const S3rver = require('s3rver');
const { build } = require('../scripts/build');

const PROJECT_ROOT = path.resolve(__dirname, '..');
/** s3rver's built-in account; it checks the access key id, not SigV4 signatures. */
const S3RVER_KEY = 'S3RVER';
/** The methods the frontend uses, in the order the command reports them. */
const METHODS = 'GET, PUT, POST, HEAD';
/**
 * The command gives up on a silent endpoint after two attempts of 4 s each; process start-up on a
 * busy machine takes the rest.
 */
const BOUNDED_MS = 13_000;

let tmp: string;
/** A project root of its own: the command reads `environments/` from its working directory. */
let root: string;
let server: { close(): Promise<void> };
let endpoint: string;
let sdk: S3Client;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 's3-preflight-'));
  root = path.join(tmp, 'project');
  fs.mkdirSync(path.join(root, 'environments'), { recursive: true });
  fs.mkdirSync(path.join(tmp, 's3rver'));
  fs.mkdirSync(path.join(tmp, 'home'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(tmp, 's3rver') });
  const address = await (server as unknown as { run(): Promise<{ port: number }> }).run();
  endpoint = `http://127.0.0.1:${address.port}`;
  // The test's own client, like the command's, goes without the SDK's Node-version notice.
  quietNodeVersionNotice();
  sdk = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
  });
  build({ quiet: true });
}, 120_000);

afterAll(async () => {
  sdk?.destroy();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * Runs the real CLI in the temporary project root, with an environment of its own: no AWS
 * settings of the machine running the tests leak in, and the credentials are dummies.
 */
function preflight(args: string[], env: Record<string, string> = {}, options: { timed?: boolean } = {}): Promise<Run> {
  // scripts/run.js rebuilds dist/ first when a source changed; a timed run must measure the command
  // alone, so it brings the bundle up to date beforehand and starts it directly.
  const entry = options.timed
    ? (build({ quiet: true }), [path.join(PROJECT_ROOT, 'dist', 'commands', 's3-preflight.js')])
    : [path.join(PROJECT_ROOT, 'scripts', 'run.js'), 'commands/s3-preflight'];
  const started = Date.now();
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: path.join(tmp, 'home'),
      AWS_CONFIG_FILE: path.join(tmp, 'home', 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, 'home', 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: S3RVER_KEY,
      AWS_SECRET_ACCESS_KEY: S3RVER_KEY,
      AWS_ENDPOINT_URL_S3: endpoint,
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, ms: Date.now() - started }));
  });
}

/**
 * Writes `environments/<name>.yaml` into the temporary root: the fixture dev environment with a
 * bucket, host and namespace of its own, in us-east-1 (the only region s3rver reports).
 */
function writeEnvironment(name: string, s3: Record<string, unknown> = {}): { bucket: string; origin: string } {
  const doc = parseDocument(fixtureEnvironmentText('dev'));
  const bucket = `${name}-images`;
  const host = `chat.${name}.example.com`;
  doc.set('namespace', `chat-${name}`);
  doc.set('host', host);
  doc.setIn(['s3', 'bucket'], bucket);
  doc.setIn(['s3', 'region'], 'us-east-1');
  doc.setIn(['s3', 'publicUrlBase'], `https://${bucket}.s3.amazonaws.com`);
  doc.deleteIn(['s3', 'endpoint']);
  for (const [key, value] of Object.entries(s3)) doc.setIn(['s3', key], value);
  fs.writeFileSync(path.join(root, 'environments', `${name}.yaml`), doc.toString());
  return { bucket, origin: `https://${host}` };
}

async function corsRules(bucket: string): Promise<CORSRule[]> {
  return (await sdk.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules ?? [];
}

/** A loopback port nothing listens on: bound once by the system, then released. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

describe('npm run s3-preflight against s3rver', () => {
  test('a missing bucket fails, naming the bucket and the endpoint, and the other checks are not run', async () => {
    const { bucket } = writeEnvironment('missing');
    const run = await preflight(['--env', 'missing']);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`fail         bucket: ${bucket} does not exist at ${endpoint}; run with --apply to create it\n`);
    expect(run.stdout).toContain('skip         region: not checked: the bucket does not exist\n');
    expect(run.stdout).toContain('skip         cors: not checked: the bucket does not exist\n');
    expect(run.stdout).toContain('skip         public-access: not checked: the bucket does not exist\n');
    expect(lines(run.stdout).pop()).toBe('s3-preflight: 0 pass, 1 fail, 3 skip');
  }, 60_000);

  test('checking never creates anything', async () => {
    const { bucket } = writeEnvironment('checkonly');
    await preflight(['--env', 'checkonly']);
    await expect(sdk.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  }, 60_000);

  test('--apply creates the bucket and lets the origin GET, PUT, POST and HEAD, then every check passes', async () => {
    const { bucket, origin } = writeEnvironment('fresh');
    const run = await preflight(['--env', 'fresh', '--apply']);
    expect(lines(run.stdout)).toEqual([
      `s3-preflight: fresh (environments/fresh.yaml): bucket ${bucket}, region us-east-1, endpoint ${endpoint} ` +
        `(from AWS_ENDPOINT_URL_S3, path-style), origins ${origin}`,
      `apply        bucket: created ${bucket} in us-east-1`,
      `apply        cors: rule ${MANAGED_RULE_ID} now lets ${origin} ${METHODS}`,
      'apply        public-access: not supported by the service; left as it is',
      `pass         bucket: ${bucket} exists and answers`,
      `pass         region: ${bucket} is in us-east-1`,
      `pass         cors: ${origin} may ${METHODS}`,
      expect.stringMatching(/^unsupported {2}public-access: the service does not implement GetPublicAccessBlock \(HTTP 501 NotImplemented/),
      's3-preflight: 3 pass, 0 fail, 1 unsupported; --apply changed bucket, cors',
    ]);
    expect(run.status).toBe(0);
    expect(await corsRules(bucket)).toEqual([
      {
        ID: MANAGED_RULE_ID,
        AllowedOrigins: [origin],
        AllowedMethods: ['GET', 'PUT', 'POST', 'HEAD'],
        AllowedHeaders: ['*'],
        ExposeHeaders: ['ETag'],
        MaxAgeSeconds: 3000,
      },
    ]);
  }, 60_000);

  test('a second --apply changes nothing, says so, and sends no write', async () => {
    const { bucket } = writeEnvironment('twice');
    expect((await preflight(['--env', 'twice', '--apply'])).status).toBe(0);
    const rulesBefore = await corsRules(bucket);

    const recorder = await recordingProxy(endpoint);
    try {
      const run = await preflight(['--env', 'twice', '--apply'], { AWS_ENDPOINT_URL_S3: recorder.url });
      expect(run.stdout).toContain(`apply        bucket: unchanged, ${bucket} exists\n`);
      expect(run.stdout).toContain('apply        cors: unchanged, already allows https://chat.twice.example.com\n');
      expect(lines(run.stdout).pop()).toBe('s3-preflight: 3 pass, 0 fail, 1 unsupported; --apply changed nothing');
      expect(run.status).toBe(0);
      expect(recorder.requests.length).toBeGreaterThan(0);
      expect(recorder.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD')).toEqual([]);
    } finally {
      await recorder.close();
    }
    expect(await corsRules(bucket)).toEqual(rulesBefore);
  }, 60_000);

  test('CORS rules that do not name the origin fail, naming the origin and what it may not do', async () => {
    const { bucket, origin } = writeEnvironment('othercors');
    await sdk.send(new CreateBucketCommand({ Bucket: bucket }));
    await sdk.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['https://admin.example.com'], AllowedMethods: ['GET', 'PUT', 'POST', 'HEAD'] }] },
      }),
    );
    const run = await preflight(['--env', 'othercors']);
    expect(run.stdout).toContain(`fail         cors: ${origin} may not ${METHODS}; run with --apply to add them\n`);
    expect(run.status).toBe(1);
  }, 60_000);

  test('every origin of s3.allowedOrigins is checked, and only the missing methods are named', async () => {
    const { bucket } = writeEnvironment('someorigins', { allowedOrigins: ['https://a.example.com', 'https://b.example.com'] });
    await sdk.send(new CreateBucketCommand({ Bucket: bucket }));
    await sdk.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: {
          CORSRules: [{ AllowedOrigins: ['https://a.example.com', 'https://b.example.com'], AllowedMethods: ['GET', 'HEAD'] }],
        },
      }),
    );
    const run = await preflight(['--env', 'someorigins']);
    expect(run.stdout).toContain(
      'fail         cors: https://a.example.com may not PUT, POST; https://b.example.com may not PUT, POST; run with --apply to add them\n',
    );
    expect(run.status).toBe(1);
  }, 60_000);

  test('--apply adds the origin in a rule of its own and keeps the rules of other origins as they were', async () => {
    const { bucket, origin } = writeEnvironment('keepcors');
    const theirs: CORSRule = { ID: 'admin', AllowedOrigins: ['https://admin.example.com'], AllowedMethods: ['GET'], MaxAgeSeconds: 60 };
    await sdk.send(new CreateBucketCommand({ Bucket: bucket }));
    await sdk.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [theirs] } }));

    const run = await preflight(['--env', 'keepcors', '--apply']);
    expect(run.stdout).toContain(`apply        cors: rule ${MANAGED_RULE_ID} now lets ${origin} ${METHODS}; the 1 other rule kept as it was\n`);
    expect(run.status).toBe(0);
    const rules = await corsRules(bucket);
    expect(rules[0]).toEqual(theirs);
    expect(rules.map((r) => r.ID)).toEqual(['admin', MANAGED_RULE_ID]);
  }, 60_000);

  test('a bucket in another region than the file says fails, naming both regions', async () => {
    const { bucket } = writeEnvironment('elsewhere', { region: 'eu-central-1' });
    // s3rver keeps every bucket in us-east-1, whatever it is asked for.
    await sdk.send(new CreateBucketCommand({ Bucket: bucket }));
    const run = await preflight(['--env', 'elsewhere']);
    expect(run.stdout).toContain(`fail         region: ${bucket} is in us-east-1, but environments/elsewhere.yaml says s3.region: eu-central-1\n`);
    expect(run.status).toBe(1);
  }, 60_000);

  test('the environment file\'s s3.endpoint is used when no AWS_ENDPOINT_URL variable is set', async () => {
    const { bucket } = writeEnvironment('fileendpoint', { endpoint });
    const run = await preflight(['--env', 'fileendpoint'], { AWS_ENDPOINT_URL_S3: '' });
    expect(run.stdout).toContain(`endpoint ${endpoint} (from s3.endpoint, path-style)`);
    expect(run.stdout).toContain(`fail         bucket: ${bucket} does not exist at ${endpoint}`);
  }, 60_000);

  test('--environments names the folder of environment files', async () => {
    const elsewhere = path.join(tmp, 'other-environments');
    fs.mkdirSync(elsewhere, { recursive: true });
    writeEnvironment('movedfolder');
    fs.renameSync(path.join(root, 'environments', 'movedfolder.yaml'), path.join(elsewhere, 'movedfolder.yaml'));
    const run = await preflight(['--env', 'movedfolder', '--environments', elsewhere]);
    expect(run.stdout).toContain('bucket: movedfolder-images does not exist');
    expect(run.status).toBe(1);
  }, 60_000);
});

describe('npm run s3-preflight where the service supports public access blocks', () => {
  let proxy: Proxy;
  beforeAll(async () => {
    proxy = await recordingProxy(endpoint, { publicAccessBlock: true });
  });
  afterAll(async () => {
    await proxy.close();
  });

  test('a bucket without a public access block fails, naming the settings that are off', async () => {
    const { bucket } = writeEnvironment('openbucket');
    await sdk.send(new CreateBucketCommand({ Bucket: bucket }));
    proxy.publicAccessBlocks.set(bucket, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    const run = await preflight(['--env', 'openbucket'], { AWS_ENDPOINT_URL_S3: proxy.url });
    expect(run.stdout).toContain(
      `fail         public-access: not blocked on ${bucket}: BlockPublicPolicy is not true, RestrictPublicBuckets is not true; ` +
        'run with --apply to block it\n',
    );
    expect(run.status).toBe(1);
  }, 60_000);

  test('--apply blocks all public access, and a second --apply leaves it as it is', async () => {
    const { bucket } = writeEnvironment('blockedbucket');
    const first = await preflight(['--env', 'blockedbucket', '--apply'], { AWS_ENDPOINT_URL_S3: proxy.url });
    expect(first.stdout).toContain(
      'apply        public-access: set BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets\n',
    );
    expect(first.stdout).toContain('pass         public-access: all four public access block settings are on\n');
    expect(lines(first.stdout).pop()).toBe('s3-preflight: 4 pass, 0 fail; --apply changed bucket, cors, public-access');
    expect(first.status).toBe(0);
    expect(proxy.publicAccessBlocks.get(bucket)).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });

    const second = await preflight(['--env', 'blockedbucket', '--apply'], { AWS_ENDPOINT_URL_S3: proxy.url });
    expect(second.stdout).toContain('apply        public-access: unchanged, all public access already blocked\n');
    expect(lines(second.stdout).pop()).toBe('s3-preflight: 4 pass, 0 fail; --apply changed nothing');
  }, 60_000);
});

describe('npm run s3-preflight when the store does not answer', () => {
  test('a closed loopback port fails at once with a clear error', async () => {
    writeEnvironment('refused');
    const port = await closedPort();
    const run = await preflight(['--env', 'refused'], { AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}` }, { timed: true });
    expect(run.stdout).toContain(
      `fail         bucket: endpoint http://127.0.0.1:${port} unreachable: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    );
    expect(run.stdout).toContain('skip         cors: not checked: the bucket check failed\n');
    expect(run.status).toBe(1);
    expect(run.ms).toBeLessThan(BOUNDED_MS);
  }, 60_000);

  test('an endpoint that accepts connections but never answers fails in bounded time', async () => {
    writeEnvironment('silent');
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    try {
      const run = await preflight(['--env', 'silent', '--apply'], { AWS_ENDPOINT_URL_S3: url }, { timed: true });
      expect(run.stdout).toMatch(new RegExp(`fail {9}bucket: endpoint ${url} did not answer: no answer in time \\(.*4000 ms requestTimeout`));
      expect(run.status).toBe(1);
      expect(run.ms).toBeLessThan(BOUNDED_MS);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  }, 60_000);
});

describe('npm run s3-preflight never prints credentials or signatures', () => {
  const SIGNATURE_PARTS = ['X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token', 'Signature=', 'Credential='];

  test('a whole --apply run shows none of the configured credentials', async () => {
    writeEnvironment('quietapply');
    const token = 'FwoGZXIvYXdzEXAMPLESESSIONTOKENquietapply';
    const run = await preflight(['--env', 'quietapply', '--apply'], { AWS_SESSION_TOKEN: token });
    expect(run.status).toBe(0);
    const output = run.stdout + run.stderr;
    for (const secret of [S3RVER_KEY, token, ...SIGNATURE_PARTS]) expect(output).not.toContain(secret);
  }, 60_000);

  test('credentials the store rejects are reported as denied without being shown', async () => {
    const { bucket } = writeEnvironment('badkey');
    await sdk.send(new CreateBucketCommand({ Bucket: bucket }));
    const key = 'AKIAPREFLIGHTEXAMPLE';
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYPREFLIGHTKEY';
    const run = await preflight(['--env', 'badkey', '--apply'], { AWS_ACCESS_KEY_ID: key, AWS_SECRET_ACCESS_KEY: secret });
    expect(run.stdout).toContain(`fail         bucket: ${bucket}: access denied (HTTP 403)`);
    expect(run.status).toBe(1);
    const output = run.stdout + run.stderr;
    for (const shown of [key, secret, ...SIGNATURE_PARTS]) expect(output).not.toContain(shown);
  }, 60_000);

  test('no credentials at all is a failure that says where they were looked for', async () => {
    writeEnvironment('nocreds');
    const run = await preflight(['--env', 'nocreds'], { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
    expect(run.stdout).toContain('fail         bucket: no AWS credentials found by the default chain');
    expect(run.status).toBe(1);
  }, 60_000);

  test('signed-URL parameters, authorization headers and access key ids are redacted from any text', () => {
    const url =
      'https://b.s3.amazonaws.com/k.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240101%2Fus-east-1%2Fs3%2Faws4_request' +
      '&X-Amz-Date=20240101T000000Z&X-Amz-Expires=900&X-Amz-Security-Token=FwoGZXIvYXdz&X-Amz-Signature=0f1e2d3c4b5a69788796a5b4c3d2e1f0&X-Amz-SignedHeaders=host';
    const header =
      'Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abcdef0123';
    const text = redactSecrets(`GET ${url} failed; ${header}; secretAccessKey: "topsecret" key ASIAIOSFODNN7EXAMPLE`, ['my-literal-secret']);
    expect(text).not.toMatch(/AKIAIOSFODNN7EXAMPLE|ASIAIOSFODNN7EXAMPLE|FwoGZXIvYXdz|0f1e2d3c|abcdef0123|topsecret/);
    expect(text).toContain('X-Amz-Signature=[REDACTED]');
    expect(text).toContain('X-Amz-Date=20240101T000000Z');
    expect(redactSecrets('denied for my-literal-secret', ['my-literal-secret'])).toBe('denied for [REDACTED]');
  });
});

describe('npm run s3-preflight refuses to run without what it needs', () => {
  test('an environment without a file exits 1, naming the environments there are', async () => {
    writeEnvironment('known');
    const run = await preflight(['--env', 'unknwn']);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(/^s3-preflight: unknown environment "unknwn"; environments has: .*\bknown\b/),
      's3-preflight: nothing checked',
    ]);
    expect(run.stdout).toBe('');
    expect(run.status).toBe(1);
  }, 60_000);

  test('a missing --env exits 2 with the usage', async () => {
    const run = await preflight([]);
    expect(run.stderr).toContain('s3-preflight: --env is required');
    expect(run.stderr).toContain('usage: npm run s3-preflight -- --env <env>');
    expect(run.status).toBe(2);
  }, 60_000);

  test('an AWS_ENDPOINT_URL_S3 that is not a URL exits 1 without echoing it', async () => {
    writeEnvironment('badendpoint');
    const run = await preflight(['--env', 'badendpoint'], { AWS_ENDPOINT_URL_S3: 'http://user:hunter2@127.0.0.1:1' });
    expect(run.stderr).toContain('AWS_ENDPOINT_URL_S3: not a usable endpoint; allowed: an http:// or https:// URL without user or password');
    expect(run.stderr).not.toContain('hunter2');
    expect(run.status).toBe(1);
  }, 60_000);
});

describe('CORS rules as S3 matches them', () => {
  const ORIGIN = 'https://chat.example.com';
  const ALL: CORSRule = { AllowedOrigins: [ORIGIN], AllowedMethods: ['GET', 'PUT', 'POST', 'HEAD'], AllowedHeaders: ['*'] };

  test('a rule with every method and any header leaves no gap', () => {
    expect(browserAccessGaps([ALL], [ORIGIN])).toEqual([]);
  });

  test('an origin wildcard matches the origins it covers and no others', () => {
    const wildcard = { ...ALL, AllowedOrigins: ['https://*.example.com'] };
    expect(browserAccessGaps([wildcard], [ORIGIN])).toEqual([]);
    expect(browserAccessGaps([wildcard], ['https://chat.example.org']).map(describeGap)).toEqual([
      `https://chat.example.org may not ${METHODS}`,
    ]);
  });

  test('uploads allowed without the Content-Type header are a gap, since the browser asks for it', () => {
    const noHeaders = { AllowedOrigins: [ORIGIN], AllowedMethods: ['GET', 'PUT', 'POST', 'HEAD'] };
    expect(browserAccessGaps([noHeaders], [ORIGIN]).map(describeGap)).toEqual([
      `${ORIGIN} may PUT, POST but not with the Content-Type header`,
    ]);
    expect(browserAccessGaps([{ ...noHeaders, AllowedHeaders: ['Content-Type'] }], [ORIGIN])).toEqual([]);
  });

  test('methods may come from different rules', () => {
    const reads = { AllowedOrigins: [ORIGIN], AllowedMethods: ['GET', 'HEAD'] };
    const writes = { AllowedOrigins: ['*'], AllowedMethods: ['PUT', 'POST'], AllowedHeaders: ['content-*'] };
    expect(browserAccessGaps([reads, writes], [ORIGIN])).toEqual([]);
  });

  test('extending the managed rule keeps its own origins and every other rule', () => {
    const other: CORSRule = { AllowedOrigins: ['https://admin.example.com'], AllowedMethods: ['DELETE'] };
    const managed: CORSRule = { ID: MANAGED_RULE_ID, AllowedOrigins: ['https://old.example.com'], AllowedMethods: ['GET', 'DELETE'] };
    const merged = withBrowserAccess([managed, other], browserAccessGaps([managed, other], [ORIGIN]));
    expect(merged).toEqual([
      {
        ID: MANAGED_RULE_ID,
        AllowedOrigins: ['https://old.example.com', ORIGIN],
        AllowedMethods: ['GET', 'PUT', 'POST', 'HEAD', 'DELETE'],
        AllowedHeaders: ['*'],
        ExposeHeaders: ['ETag'],
        MaxAgeSeconds: 3000,
      },
      other,
    ]);
  });

  test('nothing is to be written when there is no gap', () => {
    expect(withBrowserAccess([ALL], [])).toBeUndefined();
  });
});

describe('where the bucket is', () => {
  test('an empty location constraint is us-east-1, and EU is eu-west-1', () => {
    expect(bucketRegion('')).toBe('us-east-1');
    expect(bucketRegion(undefined)).toBe('us-east-1');
    expect(bucketRegion('EU')).toBe('eu-west-1');
    expect(bucketRegion('ap-northeast-2')).toBe('ap-northeast-2');
  });

  test('AWS_ENDPOINT_URL_S3 wins over AWS_ENDPOINT_URL and the file, unless configured endpoints are ignored', () => {
    const environment = {
      name: 'dev',
      file: 'environments/dev.yaml',
      host: 'chat.dev.example.com',
      s3: { bucket: 'b-images', region: 'us-east-1', endpoint: 'https://minio.example.com', publicUrlBase: 'https://x' },
    } as unknown as Environment;
    expect(resolveS3Target(environment, { AWS_ENDPOINT_URL_S3: 'http://a:1', AWS_ENDPOINT_URL: 'http://b:2' }).endpoint).toEqual({
      url: 'http://a:1',
      source: 'AWS_ENDPOINT_URL_S3',
    });
    expect(resolveS3Target(environment, { AWS_ENDPOINT_URL: 'http://b:2' }).endpoint?.source).toBe('AWS_ENDPOINT_URL');
    expect(resolveS3Target(environment, { AWS_ENDPOINT_URL: 'http://b:2', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }).endpoint).toEqual({
      url: 'https://minio.example.com',
      source: 's3.endpoint',
    });
    expect(resolveS3Target(environment, {}).origins).toEqual(['https://chat.dev.example.com']);
    expect(() => resolveS3Target(environment, { AWS_ENDPOINT_URL_S3: 'not a url' })).toThrow(S3TargetError);
  });
});

interface RecordedRequest {
  readonly method: string;
  readonly target: string;
}

type PublicAccessBlock = Record<'BlockPublicAcls' | 'IgnorePublicAcls' | 'BlockPublicPolicy' | 'RestrictPublicBuckets', boolean>;

interface Proxy {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Public access block per bucket, when the proxy answers for it. */
  readonly publicAccessBlocks: Map<string, PublicAccessBlock>;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of s3rver that records every request it forwards, so a test can
 * see which calls the command made, not only what they left behind. With `publicAccessBlock`, it
 * also plays S3's GetPublicAccessBlock and PutPublicAccessBlock, which s3rver does not implement,
 * with S3's documented XML answers; everything else goes to s3rver.
 */
async function recordingProxy(upstream: string, options: { publicAccessBlock?: boolean } = {}): Promise<Proxy> {
  const requests: RecordedRequest[] = [];
  const publicAccessBlocks = new Map<string, PublicAccessBlock>();
  const up = new URL(upstream);
  const proxy = http.createServer((req, res) => {
    const target = (req.url ?? '').replace(/=(&|$)/g, '$1');
    requests.push({ method: req.method ?? '', target });
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (options.publicAccessBlock && url.searchParams.has('publicAccessBlock')) {
      answerPublicAccessBlock(req, res, url.pathname.split('/')[1], publicAccessBlocks);
      return;
    }
    const forward = http.request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`,
    requests,
    publicAccessBlocks,
    close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
}

function answerPublicAccessBlock(req: http.IncomingMessage, res: http.ServerResponse, bucket: string, blocks: Map<string, PublicAccessBlock>): void {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const xml = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${text}`);
    };
    if (req.method === 'PUT') {
      const setting = (name: keyof PublicAccessBlock) => new RegExp(`<${name}>true</${name}>`).test(body);
      blocks.set(bucket, {
        BlockPublicAcls: setting('BlockPublicAcls'),
        IgnorePublicAcls: setting('IgnorePublicAcls'),
        BlockPublicPolicy: setting('BlockPublicPolicy'),
        RestrictPublicBuckets: setting('RestrictPublicBuckets'),
      });
      xml(200, '');
      return;
    }
    const block = blocks.get(bucket);
    if (!block) {
      xml(
        404,
        '<Error><Code>NoSuchPublicAccessBlockConfiguration</Code>' +
          `<Message>The public access block configuration was not found</Message><BucketName>${bucket}</BucketName></Error>`,
      );
      return;
    }
    const settings = Object.entries(block).map(([name, on]) => `<${name}>${on}</${name}>`).join('');
    xml(200, `<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${settings}</PublicAccessBlockConfiguration>`);
  });
}
