// Validates an integration's connector-specific parts (config, credentials, entities) with the
// connector's own schemas, collecting every problem with the field it belongs to.
import type { z } from 'zod';
import type { AnyConnectorDefinition } from '../connectors/sdk/connectorDefinition.ts';
import { type FieldProblem, HubError } from '../errors.ts';
import { mappingSchema } from '../mapping/index.ts';

export interface ConnectorParts {
  config: Record<string, unknown>;
  credentials: Record<string, string>;
  entities: string[];
  mapping: Record<string, unknown>;
}

export function validateAgainstConnector(
  connector: AnyConnectorDefinition,
  input: ConnectorParts,
): ConnectorParts {
  const problems: FieldProblem[] = [];
  const config = connector.configSchema.safeParse(input.config);
  if (!config.success) problems.push(...zodProblems(config.error, 'config'));
  const credentials = connector.credentialsSchema.safeParse(input.credentials);
  if (!credentials.success) problems.push(...zodProblems(credentials.error, 'credentials'));
  if (config.success && credentials.success && connector.checkCredentials) {
    problems.push(...connector.checkCredentials(config.data, credentials.data));
  }
  const mapping = mappingSchema.safeParse(input.mapping);
  if (!mapping.success) problems.push(...zodProblems(mapping.error, 'mapping'));
  for (const entity of Object.keys(input.mapping)) {
    if (!input.entities.includes(entity)) {
      problems.push({
        field: `mapping.${entity}`,
        message: `"${entity}" is not one of the synced entities (${input.entities.join(', ')})`,
      });
    }
  }
  input.entities.forEach((entity, index) => {
    if (!connector.entities.includes(entity)) {
      problems.push({
        field: `entities.${index}`,
        message: `"${entity}" is not an entity of connector ${connector.id} (${connector.entities.join(', ')})`,
      });
    }
  });
  if (problems.length > 0) throw validationFailed(problems);
  return {
    config: config.data as Record<string, unknown>,
    credentials: credentials.data as Record<string, string>,
    entities: input.entities,
    mapping: mapping.success ? mapping.data : {},
  };
}

export function validationFailed(problems: FieldProblem[]): HubError {
  const summary = problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
  return new HubError('validation', 'VALIDATION_FAILED', summary, { fields: problems });
}

/** Turns zod issues into field problems; unknown keys are named as fields of their own. */
export function zodProblems(error: z.ZodError, prefix: string): FieldProblem[] {
  return error.issues.flatMap((issue) => {
    const base = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: base ? `${base}.${key}` : key,
        message: 'is not a known field',
      }));
    }
    // Never echo the received value: it may be a secret.
    return [{ field: base || prefix, message: issue.message }];
  });
}
