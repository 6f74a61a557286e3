import fc from 'fast-check';
import { z } from 'zod';
import { MAX_INPUT_DEPTH } from '../../contract/input-shape';
import type { OpName } from '../../contract/names';
import { operations } from '../../contract/operations';

/**
 * Generators of invalid inputs for every operation, read off its own schema (as JSON Schema: the
 * top-level fields, their JSON types, which are required, string limits). Every input made here
 * is invalid by construction, so each must be refused with invalid_input (400) and field paths,
 * and change nothing.
 */

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';
interface FieldInfo {
  name: string;
  /** JSON types the field accepts; null when it accepts anything. */
  types: Set<JsonType> | null;
  /** A cap on its length, when it is a string with one. */
  maxLength?: number;
  /** A string that must be a UUID, one of a list, or a constant. */
  closedString: boolean;
}
export interface OpShape {
  op: OpName;
  fields: FieldInfo[];
  required: string[];
}

interface JsonSchemaNode {
  type?: JsonType | JsonType[];
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  maxLength?: number;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
}

const typeOf = (v: unknown): JsonType => (v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as JsonType));

function typesOf(node: JsonSchemaNode): Set<JsonType> | null {
  if (node.type) return new Set(Array.isArray(node.type) ? node.type : [node.type]);
  if (node.enum) return new Set(node.enum.map(typeOf));
  if (node.const !== undefined) return new Set([typeOf(node.const)]);
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives) {
    const all = new Set<JsonType>();
    for (const alt of alternatives) {
      const t = typesOf(alt);
      if (t === null) return null;
      for (const x of t) all.add(x);
    }
    return all;
  }
  return null;
}

function stringNode(node: JsonSchemaNode): JsonSchemaNode | undefined {
  if (node.type === 'string' || node.enum?.every((v) => typeof v === 'string') || typeof node.const === 'string') return node;
  return (node.anyOf ?? node.oneOf)?.find((n) => stringNode(n) !== undefined);
}

export function opShape(op: OpName): OpShape {
  const schema = z.toJSONSchema(operations[op].input, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const fields = Object.entries(schema.properties ?? {}).map(([name, node]): FieldInfo => {
    const s = stringNode(node);
    return {
      name,
      types: typesOf(node),
      maxLength: s?.maxLength,
      closedString: s !== undefined && (s.format === 'uuid' || s.enum !== undefined || s.const !== undefined),
    };
  });
  return { op, fields, required: schema.required ?? [] };
}

// ---------------------------------------------------------------------------------------------
// Values

const LONE_SURROGATES = ['\uD800', '\uDFFF', 'a\uDBFFz', '\uDC00\uD800'];
const PROTOTYPE_NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'isPrototypeOf', '__defineGetter__'];

const anyString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(...LONE_SURROGATES, ...PROTOTYPE_NAMES, '__proto__', '', ' ', '\u0000', '../../etc/passwd', '<script>alert(1)</script>', "'; DROP TABLE projects; --"),
);
/** Keys of generated objects: anything but "__proto__" (an own one is its own case below, and the shape check reports it first). */
const anyKey = anyString.filter((k) => k !== '__proto__');
const anyNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 53, -(2 ** 31), 1e308, Number.MAX_SAFE_INTEGER + 2));
const leaf = fc.oneof(anyString, anyNumber, fc.boolean(), fc.constant(null));
const anyJson = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  // Plain objects, as JSON and structured clone make them (null-prototype ones are their own case).
  object: fc.dictionary(anyKey, tie('value'), { maxKeys: 4, noNullPrototype: true }),
})).value;

const ofType: Record<JsonType, fc.Arbitrary<unknown>> = {
  string: anyString,
  number: anyNumber,
  integer: fc.integer(),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(leaf, { maxLength: 4 }),
  object: fc.dictionary(fc.string({ maxLength: 8 }), leaf, { maxKeys: 3, noNullPrototype: true }),
};

/** A value of a JSON type the field does not accept. */
function wrongType(field: FieldInfo): fc.Arbitrary<unknown> | null {
  const types = field.types;
  if (types === null) return null;
  const accepted = new Set(types);
  if (accepted.has('number')) accepted.add('integer');
  const others = (Object.keys(ofType) as JsonType[]).filter((t) => !accepted.has(t) && !(t === 'integer' && accepted.has('number')));
  // A whole-number field: a fraction is the wrong type (fc.double also makes whole numbers).
  const arbs = others.map((t) => (t === 'number' && types.has('integer') ? fc.double().filter((x) => !Number.isInteger(x)) : ofType[t]));
  return arbs.length ? fc.oneof(...arbs) : null;
}

/** Arrays or objects nested deeper than any input may be. */
const tooDeep = fc.tuple(fc.integer({ min: MAX_INPUT_DEPTH + 1, max: 6_000 }), fc.boolean()).map(([depth, objects]) => {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = objects ? { k: v } : [v];
  return v;
});

/** An object with an own "__proto__" key (as JSON.parse makes one). */
const withProtoKey = (inner: unknown) => JSON.parse(`{"__proto__": ${JSON.stringify(inner ?? null)}}`) as unknown;

export interface InvalidInput {
  kind: string;
  input: unknown;
  /** A field some issue's path must start with ('' for the input as a whole). */
  field: string | null;
}

/** Invalid inputs for one operation, tagged with what makes them invalid. */
export function invalidInputs(shape: OpShape): fc.Arbitrary<InvalidInput> {
  const known = new Set(shape.fields.map((f) => f.name));
  const fieldValues = (exclude: string) =>
    fc.record(Object.fromEntries(shape.fields.filter((f) => f.name !== exclude).map((f) => [f.name, anyJson])), { requiredKeys: [], noNullPrototype: true });
  const kinds: fc.Arbitrary<InvalidInput>[] = [
    fc.oneof(anyString, anyNumber, fc.boolean(), fc.constant(null), fc.array(anyJson, { maxLength: 3 })).map((input) => ({ kind: 'not an object', input, field: '' })),
    fc
      .tuple(fc.oneof(fc.stringMatching(/^[a-z][A-Za-z0-9_]{0,12}$/), fc.constantFrom(...PROTOTYPE_NAMES)), anyJson, fieldValues(''))
      .filter(([key]) => !known.has(key))
      .map(([key, value, rest]) => ({ kind: 'extra field', input: { ...rest, [key]: value }, field: null })),
    fc.tuple(anyJson, fieldValues('')).map(([inner, rest]) => ({ kind: 'own __proto__ key', input: Object.assign(withProtoKey(inner) as object, rest), field: '__proto__' })),
  ];
  for (const name of shape.required) {
    kinds.push(fieldValues(name).map((input) => ({ kind: `missing ${name}`, input, field: name })));
  }
  for (const f of shape.fields) {
    const wrong = wrongType(f);
    if (wrong) kinds.push(wrong.map((v) => ({ kind: `${f.name}: wrong type`, input: { [f.name]: v }, field: f.name })));
    kinds.push(tooDeep.map((v) => ({ kind: `${f.name}: nested too deeply`, input: { [f.name]: v }, field: f.name })));
    kinds.push(fc.tuple(anyJson).map(([v]) => ({ kind: `${f.name}: __proto__ inside`, input: { [f.name]: withProtoKey(v) }, field: f.name })));
    // Not plain JSON (only in-process callers can make one): zod once threw on { length: <null-prototype object> }.
    kinds.push(
      fc.dictionary(anyKey, anyJson, { maxKeys: 3 }).map((d) => ({
        kind: `${f.name}: null-prototype object`,
        input: { [f.name]: Object.assign(Object.create(null) as object, d, { length: Object.create(null) as object }) },
        field: f.name,
      })),
    );
    if (f.maxLength !== undefined && f.maxLength <= 5_000_000) {
      const max = f.maxLength;
      kinds.push(
        fc.tuple(fc.integer({ min: 1, max: 5_000 }), fc.constantFrom('x', 'é', '\uD800', '😀')).map(([extra, ch]) => ({
          kind: `${f.name}: too long`,
          // zod counts characters (code points), so each repeat is one character whatever its UTF-16 length.
          input: { [f.name]: ch.repeat(max + extra) },
          field: f.name,
        })),
      );
    } else if (f.closedString) {
      kinds.push(
        fc.tuple(fc.integer({ min: 0, max: 200_000 }), fc.constantFrom(...LONE_SURROGATES, 'x')).map(([n, s]) => ({
          kind: `${f.name}: not one of its values`,
          input: { [f.name]: `${s}${'x'.repeat(n)}${s}` },
          field: f.name,
        })),
      );
    }
  }
  return fc.oneof(...kinds);
}
