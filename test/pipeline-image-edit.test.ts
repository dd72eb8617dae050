import { PipelineError } from '../lib/pipeline/pipeline-error';
import { checkComponent, imageComponents, imageField, parseComponents, readImage, replaceImage } from '../lib/pipeline/image-edit';

const FILE = 'environments/staging.yaml';

const ENVIRONMENT = `# Staging: production-like.
namespace: chat-staging
components:
  backend:
    image: registry.example.com/chat/backend:1.4.2   # bumped by the pipeline
    replicas: { min: 2, max: 4 }
  frontend:
    image: "registry.example.com/chat/frontend:1.4.2"
kafka:
  brokers: 3
  image: 'apache/kafka:3.7.1'
`;

const DIGEST = `sha256:${'a1'.repeat(32)}`;

describe('readImage', () => {
  test('reads the image of each component whatever its quoting', () => {
    expect(readImage(ENVIRONMENT, FILE, 'backend')).toBe('registry.example.com/chat/backend:1.4.2');
    expect(readImage(ENVIRONMENT, FILE, 'frontend')).toBe('registry.example.com/chat/frontend:1.4.2');
    expect(readImage(ENVIRONMENT, FILE, 'kafka')).toBe('apache/kafka:3.7.1');
  });

  test('returns undefined for a component the file does not set', () => {
    expect(readImage('namespace: x\n', FILE, 'backend')).toBeUndefined();
  });
});

describe('replaceImage', () => {
  test('changes only the characters of the image value, keeping comments and layout', () => {
    const edited = replaceImage(ENVIRONMENT, FILE, 'backend', 'registry.example.com/chat/backend:1.4.3');
    expect(edited).toBe(ENVIRONMENT.replace('backend:1.4.2   #', 'backend:1.4.3   #'));
  });

  test('keeps double and single quotes where the value had them', () => {
    const frontend = replaceImage(ENVIRONMENT, FILE, 'frontend', 'registry.example.com/chat/frontend:2.0.0');
    expect(frontend).toContain('    image: "registry.example.com/chat/frontend:2.0.0"\n');
    const kafka = replaceImage(ENVIRONMENT, FILE, 'kafka', 'apache/kafka:3.8.0');
    expect(kafka).toContain("  image: 'apache/kafka:3.8.0'\n");
  });

  test('writes digest references, with or without a tag, that read back exactly', () => {
    for (const image of [`registry.example.com/chat/backend@${DIGEST}`, `registry.example.com/chat/backend:1.4.3@${DIGEST}`]) {
      const edited = replaceImage(ENVIRONMENT, FILE, 'backend', image);
      expect(readImage(edited, FILE, 'backend')).toBe(image);
      expect(edited.split('\n').filter((line, i) => line !== ENVIRONMENT.split('\n')[i])).toEqual([
        `    image: ${image}   # bumped by the pipeline`,
      ]);
    }
  });

  test('edits a flow mapping in place', () => {
    const text = 'components:\n  backend: { image: reg.example.com/b:1, replicas: { min: 2, max: 4 } }\n';
    expect(replaceImage(text, FILE, 'backend', 'reg.example.com/b:2')).toBe(
      'components:\n  backend: { image: reg.example.com/b:2, replicas: { min: 2, max: 4 } }\n',
    );
  });

  test('refuses a value that is an alias, naming the file and field', () => {
    const text = 'x-image: &img reg.example.com/b:1\ncomponents:\n  backend:\n    image: *img\n';
    expect(() => replaceImage(text, FILE, 'backend', 'reg.example.com/b:2')).toThrow(
      new PipelineError(`${FILE}: components.backend.image is an alias (*img); edit the anchored value it refers to instead`),
    );
  });

  test('refuses a value other fields alias, since they would change too', () => {
    const text = 'components:\n  backend:\n    image: &img reg.example.com/b:1\n  frontend:\n    image: *img\n';
    expect(() => replaceImage(text, FILE, 'backend', 'reg.example.com/b:2')).toThrow(/carries the anchor &img/);
  });

  test('refuses a file without the field', () => {
    expect(() => replaceImage('namespace: x\n', FILE, 'frontend', 'reg.example.com/f:2')).toThrow(
      `${FILE}: components.frontend.image is not set; add it to the file first`,
    );
  });

  test('refuses a file that is not valid YAML', () => {
    expect(() => replaceImage('components: [\n', FILE, 'backend', 'reg.example.com/b:2')).toThrow(/^environments\/staging\.yaml: not valid YAML/);
  });
});

describe('parseComponents', () => {
  test('each named component once, in the order first named; none named is undefined', () => {
    expect(parseComponents(['frontend', 'backend', 'frontend'])).toEqual(['frontend', 'backend']);
    expect(parseComponents([])).toBeUndefined();
  });

  test('a name no component or service can have is refused with the allowed ones', () => {
    expect(() => parseComponents(['backend', 'Media'])).toThrow(PipelineError);
    expect(() => parseComponents(['9db'])).toThrow('unknown component "9db"; allowed: backend, frontend, kafka or a service of the environment file (services.<name>)');
  });

  test('a service name passes: whether the environment has it, its file says', () => {
    expect(parseComponents(['media', 'backend'])).toEqual(['media', 'backend']);
  });
});

const WITH_SERVICES = `${ENVIRONMENT}services:
  media:
    image: registry.example.com/chat/media:2.1.0 # the media service
    replicas: { min: 2, max: 3 }
  notifier: { image: 'registry.example.com/chat/notifier:0.9.3' }
`;

describe('the components of an environment file', () => {
  test('are the built-in ones, then the services it declares, in its order', () => {
    expect(imageComponents(WITH_SERVICES, FILE)).toEqual(['backend', 'frontend', 'kafka', 'media', 'notifier']);
    expect(imageComponents(ENVIRONMENT, FILE)).toEqual(['backend', 'frontend', 'kafka']);
  });

  test('a service\'s image is services.<name>.image, read and replaced in place like any other', () => {
    expect(imageField('media')).toBe('services.media.image');
    expect(readImage(WITH_SERVICES, FILE, 'notifier')).toBe('registry.example.com/chat/notifier:0.9.3');
    const edited = replaceImage(WITH_SERVICES, FILE, 'media', 'registry.example.com/chat/media:2.2.0');
    expect(edited).toBe(WITH_SERVICES.replace('media:2.1.0 #', 'media:2.2.0 #'));
    expect(replaceImage(WITH_SERVICES, FILE, 'notifier', 'registry.example.com/chat/notifier:1.0.0')).toBe(WITH_SERVICES.replace("notifier:0.9.3'", "notifier:1.0.0'"));
  });

  test('a component the file does not declare is refused, naming the ones it has', () => {
    expect(() => checkComponent(WITH_SERVICES, FILE, 'mailer')).toThrow(
      'environments/staging.yaml: unknown component "mailer"; allowed: backend, frontend, kafka, media, notifier (a service is one the file declares under services:)',
    );
    expect(() => checkComponent(ENVIRONMENT, FILE, 'media')).toThrow(/unknown component "media"; allowed: backend, frontend, kafka \(/);
    expect(() => checkComponent(WITH_SERVICES, FILE, 'media')).not.toThrow();
  });
});
