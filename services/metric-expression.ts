import { createRequire } from 'node:module';
import type { MathNode, parse as mathParseType } from 'mathjs';
import { ServiceError } from './errors';

/**
 * User-defined candidate metrics: arithmetic over the quantities a run records at each
 * evaluation (e.g. `primeCount / (tailCount + 1)`, `log(l2)`). mathjs only parses; the tree is
 * checked against a short allow-list and evaluated here, so no code ever runs.
 */

const FUNCTIONS: Record<string, (...a: number[]) => number> = {
  log: Math.log,
  log10: Math.log10,
  log2: Math.log2,
  sqrt: Math.sqrt,
  abs: Math.abs,
  exp: Math.exp,
  min: Math.min,
  max: Math.max,
  pow: Math.pow,
};
const OPERATORS: Record<string, (a: number, b?: number) => number> = {
  add: (a, b) => a + b!,
  subtract: (a, b) => a - b!,
  multiply: (a, b) => a * b!,
  divide: (a, b) => a / b!,
  pow: (a, b) => a ** b!,
  unaryMinus: (a) => -a,
  unaryPlus: (a) => a,
};

export interface MetricExpression {
  source: string;
  /** The recorded quantities it reads. */
  symbols: string[];
  /** null when a quantity is missing or the result is not finite. */
  evaluate(values: Readonly<Record<string, number | null | undefined>>): number | null;
}

/**
 * mathjs takes ~0.3 s to load, and only a confounder test with your own expression needs it: it is
 * loaded on first use, so commands that never parse one (the whole CLI but `confounders`) start fast.
 */
let mathParse: ((source: string) => MathNode) | undefined;
type MathJs = { parse: typeof mathParseType };
const parse = (source: string): MathNode => {
  mathParse ??= (createRequire(import.meta.url)('mathjs') as MathJs).parse as (source: string) => MathNode;
  return mathParse(source);
};

const invalid = (message: string) => new ServiceError('invalid_input', `Expression: ${message}`, [{ path: 'candidate.expression', message }]);

export function compileMetricExpression(source: string, known: readonly string[]): MetricExpression {
  if (source.length > 200) throw invalid('at most 200 characters');
  let tree: MathNode;
  try {
    tree = parse(source);
  } catch (err) {
    throw invalid(`cannot be read (${(err as Error).message})`);
  }
  const symbols = new Set<string>();
  const check = (node: MathNode): void => {
    const n = node as MathNode & { fn?: { name?: string } | string; name?: string; value?: unknown; args?: MathNode[]; content?: MathNode };
    switch (node.type) {
      case 'ConstantNode':
        if (typeof n.value !== 'number' || !Number.isFinite(n.value)) throw invalid('only numbers may appear as constants');
        return;
      case 'SymbolNode':
        if (!known.includes(n.name!)) throw invalid(`unknown quantity "${n.name}" (known: ${known.join(', ')})`);
        symbols.add(n.name!);
        return;
      case 'ParenthesisNode':
        return check(n.content!);
      case 'OperatorNode':
        if (!(typeof n.fn === 'string' && Object.hasOwn(OPERATORS, n.fn))) throw invalid(`operator "${(node as unknown as { op: string }).op}" is not allowed (use + − × / ^)`);
        return n.args!.forEach(check);
      case 'FunctionNode': {
        const name = typeof n.fn === 'object' ? n.fn?.name : undefined;
        // Own names only: `name in FUNCTIONS` also admitted constructor, toString, __defineGetter__, …
        if (!name || !Object.hasOwn(FUNCTIONS, name)) throw invalid(`function "${name ?? '?'}" is not allowed (allowed: ${Object.keys(FUNCTIONS).join(', ')})`);
        return n.args!.forEach(check);
      }
      default:
        throw invalid('only numbers, recorded quantities, + − × / ^ and the functions log, log10, log2, sqrt, abs, exp, min, max, pow');
    }
  };
  check(tree);

  const evalNode = (node: MathNode, values: Readonly<Record<string, number | null | undefined>>): number => {
    const n = node as MathNode & { fn?: { name: string } | string; name?: string; value?: number; args?: MathNode[]; content?: MathNode };
    switch (node.type) {
      case 'ConstantNode':
        return n.value!;
      case 'SymbolNode': {
        // Own values only: a quantity named like an Object.prototype member must not read it.
        const v = Object.hasOwn(values, n.name!) ? values[n.name!] : undefined;
        return typeof v === 'number' ? v : Number.NaN;
      }
      case 'ParenthesisNode':
        return evalNode(n.content!, values);
      case 'OperatorNode': {
        const args = n.args!.map((a) => evalNode(a, values));
        return OPERATORS[n.fn as string]!(args[0]!, args[1]);
      }
      default: {
        const args = n.args!.map((a) => evalNode(a, values));
        return FUNCTIONS[(n.fn as { name: string }).name]!(...args);
      }
    }
  };
  return {
    source,
    symbols: [...symbols],
    evaluate: (values) => {
      const v = evalNode(tree, values);
      return Number.isFinite(v) ? v : null;
    },
  };
}
