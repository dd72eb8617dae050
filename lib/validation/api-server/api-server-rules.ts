import { Rule } from '../rule';
import { ApiRule } from './api-rule';
import { CORE_API_RULES } from './core-rules';
import { WORKLOAD_API_RULES } from './workload-rules';
import { formatFieldError } from './field-error';
import { CRD_API_RULES } from '../crd/crd-rules';

/** Every ported API-server validation function, of built-in kinds and of custom resources. */
export const API_RULES: readonly ApiRule[] = [...CORE_API_RULES, ...WORKLOAD_API_RULES, ...CRD_API_RULES];

/** The API-server rules as validation rules: each runs once per object of its kinds. */
export function apiServerRules(rules: readonly ApiRule[] = API_RULES): Rule[] {
  return rules.map((api) => ({
    id: api.id,
    hint: `the Kubernetes 1.28 API server refuses this (${api.mirrors}); fix the field it names`,
    checks: api.checks,
    // Read when asked: the custom-resource rules find their kinds among the generated schemas.
    get kinds() {
      return api.kinds;
    },
    mirrors: api.mirrors,
    check(ctx) {
      const kinds = api.kinds;
      const objects = kinds === '*' ? ctx.objects : kinds.flatMap((kind) => ctx.ofKind(kind));
      for (const object of objects) {
        for (const error of api.validate(object.manifest)) ctx.report(object, formatFieldError(error));
      }
    },
  }));
}
