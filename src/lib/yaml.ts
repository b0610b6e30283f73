// YAML text of generated manifests. js-yaml's serializer, about three times faster than the `yaml`
// package's document model on large bundles (npm run bench), with settings chosen for reviewers and for
// every YAML reader the output meets (kubectl, kustomize and Argo CD read YAML 1.1):
//   DUMP_SCHEMA   strings that YAML 1.1 or 1.2 would read as something else ("on", "0755", "1e3",
//                 "2024-01-01", "~") are quoted, so every reader gets the same value back;
//   number-like   strings made only of digits and . _ + - :, or exponent forms such as "e0", are quoted
//                 as well: a literal reading of the YAML 1.1 float pattern matches "." (Istio's exportTo
//                 value), and looser YAML 1.1 readers take "e0" for a float;
//   noRefs        repeated objects are written out, never as anchors and aliases;
//   lineWidth -1  long strings are never folded: a changed value is one changed line in a diff;
//   double quotes when quoting is needed, like kubectl's output.
// Undefined fields are left out, as in JSON; anything else that is not plain data (a function) is an error.
import { CORE_SCHEMA, DEFAULT_SCALAR_STYLE_RULES, dump, DUMP_SCHEMA, loadAll, SCALAR_STYLE, type ScalarLayout } from 'js-yaml';

const NUMBER_LIKE = /^[-+.:_0-9]+$|^[-+]?[0-9_.]*[eE][-+]?[0-9_]+$/;

function quoteNumberLike(layout: ScalarLayout): void {
  if (layout.style === SCALAR_STYLE.PLAIN && layout.node.tag === DUMP_SCHEMA.defaultScalarTag.tagName && NUMBER_LIKE.test(layout.node.value)) {
    layout.style = SCALAR_STYLE.DOUBLE_QUOTED;
  }
}

const R = DEFAULT_SCALAR_STYLE_RULES;

const OPTIONS = {
  schema: DUMP_SCHEMA,
  noRefs: true,
  lineWidth: -1,
  quoteStyle: 'double',
  skipInvalid: false,
  // js-yaml's default rules, in their order, with ours before the rule that quotes what cannot be plain.
  scalarStyleRules: [
    R.applyQuoteFlowKeysOption,
    R.doubleQuoteForInvisibles,
    R.doubleQuoteWhitespaceOnly,
    R.applyForceQuotesOption,
    R.tryLongOrMultilineAsBlock,
    quoteNumberLike,
    R.quoteInvalidPlain,
    R.fallbackToDoubleQuoted,
  ],
} as const;

/** One YAML document per value, separated by `---`. */
export function toYaml(...documents: readonly unknown[]): string {
  return documents.map((d) => dump(d, OPTIONS)).join('---\n');
}

/**
 * The documents of a YAML text as plain values (empty documents as null), read as `validate` and `diff`
 * read dist/: js-yaml with the YAML 1.2 core schema (no timestamps, no merge keys), the values the
 * `yaml` package reads by default, several times faster. Throws on anything js-yaml refuses (syntax,
 * duplicate keys, unknown tags); callers fall back to the `yaml` package to locate the problem.
 */
export function readYaml(text: string): unknown[] {
  return loadAll(text, { schema: CORE_SCHEMA });
}
