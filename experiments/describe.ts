import { z } from 'zod';
import type { ExperimentField, ExperimentInfo } from '../contract/runs';
import type { ExperimentDefinition } from './types';

interface JsonSchemaProperty {
  type?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: string[];
}

/** The knobs of an experiment as plain data for forms and docs, read off its zod schema. */
export function describeExperiment(def: ExperimentDefinition): ExperimentInfo {
  const schema = z.toJSONSchema(def.configSchema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchemaProperty>;
  };
  const fields: ExperimentField[] = Object.entries(schema.properties ?? {}).map(([key, p]) => ({
    key,
    type: p.enum ? 'string' : p.type === 'integer' ? 'integer' : p.type === 'boolean' ? 'boolean' : p.type === 'string' ? 'string' : 'number',
    description: p.description ?? '',
    default: p.default,
    minimum: p.minimum,
    maximum: p.maximum,
    exclusiveMinimum: p.exclusiveMinimum,
    exclusiveMaximum: p.exclusiveMaximum,
    options: p.enum,
  }));
  return {
    key: def.key,
    title: def.title,
    description: def.description,
    fields,
    presets: Object.entries(def.presets).map(([name, config]) => ({ name, config: config as Record<string, unknown> })),
    sweepGrids: def.sweepGrids ?? {},
  };
}
