/**
 * Reads and rewrites the image references of an environment file as text.
 *
 * The file is edited by people too: its comments, key order, flow mappings and quoting are theirs.
 * So an image is changed by replacing exactly the characters of that one scalar, located through
 * the parsed document's source ranges, and never by re-serializing the document.
 */
import { Document, Scalar, isAlias, isMap, isScalar, parseDocument } from 'yaml';
import { dns1035LabelProblem } from '../predicates/dns-names';
import { PipelineError } from './pipeline-error';

/** Where each built-in component's image sits in an environment file. */
export const IMAGE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  backend: ['components', 'backend', 'image'],
  frontend: ['components', 'frontend', 'image'],
  kafka: ['kafka', 'image'],
};

/** The section of an environment file whose every key is a service, its image at `services.<name>.image`. */
export const SERVICES_SECTION = 'services';

/**
 * A component with an image: one of the built-in ones ({@link IMAGE_COMPONENTS}), or a service the
 * environment file declares under `services:` (no service may take a built-in name).
 */
export type ImageComponent = string;

/** The built-in components with an image, in every environment file. */
export const IMAGE_COMPONENTS: readonly ImageComponent[] = Object.keys(IMAGE_FIELDS);

/**
 * The components the pipeline builds and deploys. Kafka is left out of promotions and rollbacks
 * unless named: a broker downgrade or an unplanned upgrade can cross a metadata version, which is
 * an operation of its own, not a side effect of shipping the application.
 */
export const APPLICATION_COMPONENTS: readonly ImageComponent[] = ['backend', 'frontend'];

/**
 * Checks the spelling of a component name given on a command line; whether the environment has
 * it is the environment file's to say ({@link checkComponent}), once the file is read.
 */
export function parseComponent(name: string): ImageComponent {
  if (IMAGE_COMPONENTS.includes(name) || dns1035LabelProblem(name) === undefined) return name;
  throw new PipelineError(`unknown component ${JSON.stringify(name)}; allowed: ${IMAGE_COMPONENTS.join(', ')} or a service of the environment file (services.<name>)`);
}

/** The components named on a command line, each once, in order; `undefined` when none is named. */
export function parseComponents(names: readonly string[]): ImageComponent[] | undefined {
  return names.length > 0 ? [...new Set(names.map(parseComponent))] : undefined;
}

/** Where a component's image sits: a built-in one's field, else `services.<name>.image`. */
export function imagePath(component: ImageComponent): readonly string[] {
  return Object.prototype.hasOwnProperty.call(IMAGE_FIELDS, component) ? IMAGE_FIELDS[component]! : [SERVICES_SECTION, component, 'image'];
}

/** The dotted field name of a component's image, e.g. `components.backend.image`, `services.media.image`. */
export function imageField(component: ImageComponent): string {
  return imagePath(component).join('.');
}

/** The services an environment file's text declares, in its order. `file` only names the file in errors. */
export function serviceComponents(text: string, file: string): ImageComponent[] {
  const doc = parse(text, file);
  const section = nodeAt(doc, [SERVICES_SECTION]);
  const services = isAlias(section) ? section.resolve(doc) : section;
  if (!isMap(services)) return [];
  return services.items.flatMap((item) => (isScalar(item.key) && typeof item.key.value === 'string' ? [item.key.value] : []));
}

/** Every component with an image in the file: the built-in ones, then its services. */
export function imageComponents(text: string, file: string): ImageComponent[] {
  return [...IMAGE_COMPONENTS, ...serviceComponents(text, file).filter((name) => !IMAGE_COMPONENTS.includes(name))];
}

/** Refuses a component the environment file does not have, naming the ones it has. */
export function checkComponent(text: string, file: string, component: ImageComponent): void {
  const known = imageComponents(text, file);
  if (!known.includes(component)) {
    throw new PipelineError(`${file}: unknown component ${JSON.stringify(component)}; allowed: ${known.join(', ')} (a service is one the file declares under services:)`);
  }
}

/**
 * The image of `component` in an environment file's text, or `undefined` if the file does not set
 * one. `file` only names the file in errors.
 */
export function readImage(text: string, file: string, component: ImageComponent): string | undefined {
  const doc = parse(text, file);
  const node = nodeAt(doc, imagePath(component));
  if (node === undefined) return undefined;
  const value = isAlias(node) ? node.resolve(doc) : node;
  if (!isScalar(value) || typeof value.value !== 'string') {
    throw new PipelineError(`${file}: ${imageField(component)} is not a string`);
  }
  return value.value;
}

/**
 * The text with `component`'s image replaced by `image`, every other byte unchanged. The scalar
 * keeps its quoting style when the new value allows it. Throws a `PipelineError` naming the file
 * and field when the file does not hold the image as a plain, single-line scalar of its own.
 */
export function replaceImage(text: string, file: string, component: ImageComponent, image: string): string {
  const field = imageField(component);
  const doc = parse(text, file);
  const node = nodeAt(doc, imagePath(component));
  if (node === undefined) {
    throw new PipelineError(`${file}: ${field} is not set; add it to the file first`);
  }
  if (isAlias(node)) {
    throw new PipelineError(`${file}: ${field} is an alias (*${node.source}); edit the anchored value it refers to instead`);
  }
  if (!isScalar(node) || !node.range) {
    throw new PipelineError(`${file}: ${field} is not a scalar`);
  }
  if (node.anchor) {
    // Other fields alias this value; changing it here would silently change them too.
    throw new PipelineError(`${file}: ${field} carries the anchor &${node.anchor}; remove the anchor or edit the fields separately`);
  }
  const [start, end] = node.range;
  for (const candidate of spellings(node, image)) {
    const edited = text.slice(0, start) + candidate + text.slice(end);
    if (roundTrips(edited, component, image)) return edited;
  }
  throw new PipelineError(`${file}: cannot write ${JSON.stringify(image)} into ${field}`);
}

/** The ways to write `image` in place of `node`, preferred first: the node's own style, then double quotes. */
function spellings(node: Scalar, image: string): string[] {
  const json = JSON.stringify(image);
  switch (node.type) {
    case Scalar.QUOTE_SINGLE:
      return [`'${image.replace(/'/g, "''")}'`, json];
    case Scalar.QUOTE_DOUBLE:
      return [json];
    case Scalar.PLAIN:
      return [image, json];
    default:
      // Block scalars (| and >) would need their indentation rewritten; a one-line value is safer.
      return [json];
  }
}

function roundTrips(text: string, component: ImageComponent, image: string): boolean {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return false;
  const node = nodeAt(doc, imagePath(component));
  return isScalar(node) && node.value === image;
}

function parse(text: string, file: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new PipelineError(`${file}: not valid YAML (${doc.errors[0].message.split('\n')[0]}); fix the file before changing images`);
  }
  return doc;
}

function nodeAt(doc: Document, segments: readonly string[]): unknown {
  let node: unknown = doc.contents;
  for (const segment of segments) {
    if (isAlias(node)) node = node.resolve(doc);
    if (!isMap(node)) return undefined;
    const pair = node.items.find((item) => isScalar(item.key) && item.key.value === segment);
    if (pair === undefined) return undefined;
    node = pair.value;
  }
  return node ?? undefined;
}
