import type * as Cel from '@bufbuild/cel';
import { FieldError, FieldPath, forbidden, invalid, required, duplicate } from '../api-server/field-error';
import { isObject } from '../manifest-values';
import { celValueOf } from './cel-values';
import { StructuralSchema, ValidationRule } from './structural-schema';

interface CelLibrary {
  readonly cel: typeof Cel;
  readonly env: Cel.CelEnv;
}
let library: CelLibrary | undefined;

/**
 * The CEL evaluator (@bufbuild/cel, with the strings extension and RE2 regular expressions as
 * Kubernetes has them), loaded on first need only: most trees hold no kind with CEL rules.
 */
function celLibrary(): CelLibrary {
  if (library === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose: see above
    const cel = require('@bufbuild/cel') as typeof Cel;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
    const { strings } = require('@bufbuild/cel/ext') as typeof import('@bufbuild/cel/ext');
    library = { cel, env: cel.celEnv({ funcs: strings, variables: { self: cel.CelScalar.DYN, oldSelf: cel.CelScalar.DYN } }) };
  }
  return library;
}

type Program = (bindings: Record<string, unknown>) => unknown;

/** A rule compiled once: its program, or why it does not compile, and whether it reads `oldSelf`. */
interface Compiled {
  readonly program?: Program;
  readonly error?: string;
  readonly usesOldSelf: boolean;
}
const compiledRules = new Map<string, Compiled>();

/** Whether an expression names `oldSelf` (a transition rule), read from its syntax tree. */
function namesIdentifier(expr: unknown, name: string): boolean {
  if (expr === null || typeof expr !== 'object') return false;
  const node = expr as { case?: string; value?: { name?: string } };
  if (node.case === 'identExpr' && node.value?.name === name) return true;
  return Object.values(expr).some((v) => typeof v === 'object' && namesIdentifier(v, name));
}

function compile(expression: string): Compiled {
  let compiled = compiledRules.get(expression);
  if (compiled === undefined) {
    const { cel, env } = celLibrary();
    try {
      const parsed = cel.parse(expression);
      compiled = { program: cel.plan(env, parsed) as unknown as Program, usesOldSelf: namesIdentifier(parsed.expr, 'oldSelf') };
    } catch (e) {
      compiled = { error: (e as Error).message.split('\n')[0]!, usesOldSelf: false };
    }
    compiledRules.set(expression, compiled);
  }
  return compiled;
}

/** `message`, else `failed rule: <rule>` (ruleMessageOrDefault). */
const ruleMessage = (rule: ValidationRule): string => (rule.message?.trim() ? rule.message.trim() : `failed rule: ${rule.rule.trim()}`);
/** `message`, else the rule (ruleErrorString). */
const ruleText = (rule: ValidationRule): string => (rule.message?.trim() ? rule.message.trim() : rule.rule.trim());

/** A rule's `fieldPath` (`.spec.port`, `.labels['app']`) below the node's path. */
function fieldPathBelow(path: FieldPath, fieldPath: string, schema: StructuralSchema): FieldPath {
  let at = path;
  let node: StructuralSchema | undefined = schema;
  for (const [, name, quoted] of fieldPath.matchAll(/\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]/g)) {
    const key = name ?? quoted!.replace(/\\(.)/g, '$1');
    if (node?.properties?.[key] !== undefined) {
      at = at.child(key);
      node = node.properties[key];
    } else {
      at = at.key(key);
      node = node?.additionalProperties;
    }
  }
  return at;
}

/** The field error of a rule that did not hold, by its `reason` (fieldErrorForReason). */
function ruleError(path: FieldPath, type: string, detail: string, reason: ValidationRule['reason']): FieldError {
  switch (reason) {
    case 'FieldValueForbidden':
      return forbidden(path, detail);
    case 'FieldValueRequired':
      return required(path, detail);
    case 'FieldValueDuplicate':
      return duplicate(path, type);
    default:
      return invalid(path, type, detail);
  }
}

/** The message a `messageExpression` makes, when it makes a usable one (evalMessageExpression). */
function messageOf(expression: string, bindings: Record<string, unknown>): string | undefined {
  const compiled = compile(expression);
  if (compiled.program === undefined) return undefined;
  const value = compiled.program(bindings);
  if (typeof value !== 'string') return undefined;
  const message = value.trim();
  return message === '' || message.includes('\n') || message.length > 5 * 1024 ? undefined : message;
}

function validateRules(path: FieldPath, schema: StructuralSchema, value: unknown, isResourceRoot: boolean, errors: FieldError[]): void {
  const type = schema.type ?? (Array.isArray(value) ? 'array' : isObject(value) ? 'object' : typeof value);
  let self: unknown;
  for (const rule of schema.rules ?? []) {
    const compiled = compile(rule.rule);
    if (compiled.program === undefined) {
      errors.push(invalid(path, type, `rule compile error: ${compiled.error}`));
      continue;
    }
    // Transition rules compare with the object as it is in the cluster; a tree is checked as
    // objects to create, where the API server skips them.
    if (compiled.usesOldSelf) continue;
    self ??= celValueOf(value, schema, isResourceRoot);
    const bindings = { self };
    const { cel } = celLibrary();
    const result = compiled.program(bindings);
    if (cel.isCelError(result)) {
      errors.push(invalid(path, type, `${result.message} evaluating rule: ${ruleText(rule)}`));
      continue;
    }
    if (result === true) continue;
    const at = rule.fieldPath ? fieldPathBelow(path, rule.fieldPath, schema) : path;
    const detail = (rule.messageExpression && messageOf(rule.messageExpression, bindings)) || ruleMessage(rule);
    errors.push(ruleError(at, type, detail, rule.reason));
  }
}

function validateValue(path: FieldPath, schema: StructuralSchema, value: unknown, isResourceRoot: boolean, errors: FieldError[]): void {
  // Only values are validated: a rule about whether a field is set sits on its parent.
  if (value === null || value === undefined) return;
  if (schema.rules !== undefined) validateRules(path, schema, value, isResourceRoot, errors);
  for (const part of schema.allOf ?? []) validateValue(path, part, value, isResourceRoot, errors);
  if (Array.isArray(value)) {
    const items = schema.items;
    if (items !== undefined) value.forEach((item, i) => validateValue(path.index(i), items, item, items.embeddedResource === true, errors));
  } else if (isObject(value)) {
    const additional = schema.additionalProperties;
    for (const [key, child] of Object.entries(value)) {
      const property = schema.properties?.[key];
      if (property !== undefined) validateValue(path.child(key), property, child, property.embeddedResource === true, errors);
      else if (additional !== undefined) validateValue(path.key(key), additional, child, additional.embeddedResource === true, errors);
    }
  }
}

/**
 * Evaluates every `x-kubernetes-validations` rule of a custom resource's schema where its value
 * is set, as the API server does on create (Validator.Validate, apiextensions-apiserver
 * pkg/apiserver/schema/cel/validation.go): a rule that does not hold gives the error its
 * `reason` names, at its `fieldPath`, with its `messageExpression`, `message`, or
 * `failed rule: <rule>`. Differences from the server: transition rules (those reading `oldSelf`)
 * are skipped, as on create; there is no cost budget; lists of type `set` and `map` compare in
 * order, not as sets; and Kubernetes' own CEL libraries (lists, regex `find`, `url`, `quantity`,
 * `ip`, `cidr`) are not there, so a rule calling them fails with an evaluation error naming it.
 */
export function validateCelRules(object: Record<string, unknown>, schema: StructuralSchema): FieldError[] {
  const errors: FieldError[] = [];
  validateValue(FieldPath.root(''), schema, object, true, errors);
  return errors;
}
