import { ApiRule } from '../api-server/api-rule';
import { FieldError } from '../api-server/field-error';
import { validateCelRules } from './cel-validation';
import { defaultedManifest } from './defaulting';
import { validateListSetsAndMaps } from './list-type';
import { StructuralSchema, structuralKindNames, structuralSchemaOf } from './structural-schema';

/**
 * A rule the API server applies to custom resources from their CRD's structural schema: run on
 * the object with its CRD's defaults applied, as the server runs it, for any kind with a
 * structural schema in schemas/crd/ (generated from the CRDs by scripts/generate-schemas.js).
 * Looked up by kind name, then by apiVersion: a kind of the same name in another group passes.
 */
function crdRule(
  id: string,
  mirrors: string,
  checks: string,
  validate: (object: Record<string, unknown>, schema: StructuralSchema) => FieldError[],
): ApiRule {
  return {
    id,
    mirrors,
    checks,
    get kinds() {
      return structuralKindNames();
    },
    validate(manifest) {
      const schema = structuralSchemaOf(manifest.apiVersion, manifest.kind);
      return schema === undefined ? [] : validate(defaultedManifest(manifest), schema);
    },
  };
}

/** The structural validation the API server adds to a custom resource's JSON Schema: what a CRD writes as `x-kubernetes-*` extensions. */
export const CRD_API_RULES: readonly ApiRule[] = [
  crdRule(
    'CRD-CEL',
    'Validator.Validate (apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go)',
    "a custom resource holds every `x-kubernetes-validations` CEL rule of its CRD (transition rules excepted), reported with the rule's message, reason and fieldPath",
    validateCelRules,
  ),
  crdRule(
    'CRD-LIST-TYPE',
    'ValidateListSetsAndMaps (apiextensions-apiserver/pkg/apiserver/schema/listtype/validation.go)',
    'a custom resource repeats no item of an `x-kubernetes-list-type: set` and no key of a list-type `map`, whose items are objects',
    validateListSetsAndMaps,
  ),
];
