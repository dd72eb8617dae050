import { PipelineError } from '../lib/pipeline/pipeline-error';
import { parseComponents, readImage, replaceImage } from '../lib/pipeline/image-edit';

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

  test('an unknown name is refused with the allowed ones', () => {
    expect(() => parseComponents(['backend', 'db'])).toThrow(PipelineError);
    expect(() => parseComponents(['db'])).toThrow(/unknown component "db"; allowed: .*backend.*frontend/);
  });
});
