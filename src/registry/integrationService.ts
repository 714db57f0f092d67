// The registry's operations. Each change validates against the connector, seals credentials,
// writes the row and its audit entry in one transaction: all of it happens or none of it.
import { randomUUID } from 'node:crypto';
import type { Principal } from '../access/principal.ts';
import { recordAudit } from '../audit/recordAudit.ts';
import type { ConnectorCatalog } from '../connectors/catalog.ts';
import type { AnyConnectorDefinition, ConnectionResult } from '../connectors/sdk/connectorDefinition.ts';
import type { Pool, Queryable } from '../db/pool.ts';
import { withTransaction } from '../db/pool.ts';
import { HubError, notFound } from '../errors.ts';
import type { OutboundNetwork } from '../network/outboundNetwork.ts';
import { outboundTargets, refusedTargets } from '../network/outboundTargets.ts';
import { resetSchedule } from '../sync/syncStatusTable.ts';
import type { Vault } from '../vault/vault.ts';
import { credentialsAad, openCredentials } from './credentialStore.ts';
import { describeCreation, describeUpdate } from './describeChanges.ts';
import {
  type CreateIntegrationInput,
  createIntegrationSchema,
  defaultRetryPolicy,
  defaultSchedule,
  defaultTwoWay,
  type UpdateIntegrationInput,
} from './integrationSchema.ts';
import {
  clearErrorState,
  deleteIntegrationRow,
  findIntegration,
  type IntegrationFields,
  type IntegrationFilter,
  insertIntegration,
  listIntegrationRows,
  type StoredIntegration,
  updateIntegrationRow,
} from './integrationsTable.ts';
import { maskCredentials } from './maskSecret.ts';
import { mergePatch } from './mergePatch.ts';
import { validateAgainstConnector, validationFailed } from './validateAgainstConnector.ts';

export interface RegistryDependencies {
  pool: Pool;
  vault: Vault;
  catalog: ConnectorCatalog;
  network: OutboundNetwork;
}

export interface ChangeContext {
  actor: Principal;
  traceId?: string | undefined;
}

export class IntegrationService {
  readonly #deps: RegistryDependencies;

  constructor(deps: RegistryDependencies) {
    this.#deps = deps;
  }

  async create(raw: CreateIntegrationInput, context: ChangeContext): Promise<StoredIntegration> {
    const input = createIntegrationSchema.parse(raw);
    const connector = this.#deps.catalog.get(input.connector);
    const template = input.template === undefined ? undefined : findTemplate(connector, input.template);
    const config = template
      ? (mergePatch(template.config, input.config) as Record<string, unknown>)
      : input.config;
    const parts = validateAgainstConnector(connector, {
      config,
      credentials: input.credentials,
      entities: input.entities ?? template?.entities ?? defaultEntities(connector, config),
      mapping: input.mapping ?? (template?.mapping as Record<string, unknown> | undefined) ?? {},
    });
    await this.#checkOutboundTargets(parts.config);
    const id = randomUUID();
    return withTransaction(this.#deps.pool, async (tx) => {
      const sealed = await this.#sealCredentials(tx, id, parts.credentials);
      const fields: IntegrationFields = {
        name: input.name,
        connector: connector.id,
        type: connector.type,
        status: input.status,
        statusReason: null,
        ...sealed,
        config: parts.config,
        endpoints: input.endpoints,
        rateLimits: { ...connector.rateLimits, ...input.rateLimits },
        retryPolicy: { ...defaultRetryPolicy, ...input.retryPolicy },
        schedule: { ...defaultSchedule, ...input.schedule },
        twoWay: { ...defaultTwoWay, ...input.twoWay },
        entities: parts.entities,
        mapping: parts.mapping,
      };
      checkDelays(fields);
      const created = await insertIntegration(tx, id, fields, context.actor.id).catch(translateUniqueName);
      await recordAudit(tx, context.actor, {
        action: 'integration.create',
        targetType: 'integration',
        targetId: id,
        changes: describeCreation(created),
        traceId: context.traceId,
      });
      return created;
    });
  }

  async get(id: string): Promise<StoredIntegration> {
    const found = await findIntegration(this.#deps.pool, id);
    if (!found) throw notFound('integration', id);
    return found;
  }

  list(filter: IntegrationFilter): Promise<StoredIntegration[]> {
    return listIntegrationRows(this.#deps.pool, filter);
  }

  /** `expectedVersion` comes from If-Match: a stale version is refused instead of overwriting. */
  async update(
    id: string,
    expectedVersion: number | '*',
    patch: UpdateIntegrationInput,
    context: ChangeContext,
  ): Promise<StoredIntegration> {
    return withTransaction(this.#deps.pool, async (tx) => {
      const before = await this.#lockForChange(tx, id, expectedVersion);
      const connector = this.#deps.catalog.get(before.connector);
      const currentCredentials = await this.#openCredentials(before);
      const nextCredentials = mergePatch(currentCredentials, patch.credentials ?? {}) as Record<
        string,
        string
      >;
      const config = mergePatch(before.config, patch.config ?? {}) as Record<string, unknown>;
      const parts = validateAgainstConnector(connector, {
        config,
        credentials: nextCredentials,
        entities: patch.entities ?? followedEntities(connector, before, config),
        mapping: (patch.mapping ? mergePatch(before.mapping, patch.mapping) : before.mapping) as Record<
          string,
          unknown
        >,
      });
      // Only a change of config is checked, so an integration the policy now refuses can still be paused.
      if (patch.config !== undefined) await this.#checkOutboundTargets(parts.config);
      const credentialChanges = diffCredentialKeys(currentCredentials, parts.credentials);
      const credentialsChanged = credentialChanges.set.length > 0 || credentialChanges.removed.length > 0;
      // A person fixing the settings of an integration in error gives it its next chance at once.
      const fixed =
        before.status === 'error' &&
        patch.status === undefined &&
        (credentialsChanged || patch.config !== undefined);
      const status = fixed ? 'active' : (patch.status ?? before.status);
      const statusChanged = status !== before.status;
      const fields: IntegrationFields = {
        name: patch.name ?? before.name,
        connector: before.connector,
        type: before.type,
        status,
        statusReason: statusChanged ? null : before.statusReason,
        ...(credentialsChanged
          ? await this.#sealCredentials(tx, id, parts.credentials)
          : {
              credentialsEncrypted: before.credentialsEncrypted,
              credentialsKeyId: before.credentialsKeyId,
              credentialsHint: before.credentialsHint,
            }),
        config: parts.config,
        endpoints: patch.endpoints ?? before.endpoints,
        rateLimits: { ...before.rateLimits, ...patch.rateLimits },
        retryPolicy: { ...before.retryPolicy, ...patch.retryPolicy },
        schedule: { ...before.schedule, ...patch.schedule },
        twoWay: { ...before.twoWay, ...patch.twoWay },
        entities: parts.entities,
        mapping: parts.mapping,
      };
      checkDelays(fields);
      const after = await updateIntegrationRow(tx, id, fields, context.actor.id).catch(translateUniqueName);
      if (statusChanged) await clearErrorState(tx, id);
      if (JSON.stringify(before.schedule) !== JSON.stringify(after.schedule)) await resetSchedule(tx, id);
      await recordAudit(tx, context.actor, {
        action: 'integration.update',
        targetType: 'integration',
        targetId: id,
        changes: describeUpdate(before, after, credentialChanges),
        traceId: context.traceId,
      });
      return after;
    });
  }

  async remove(id: string, expectedVersion: number | '*', context: ChangeContext): Promise<void> {
    await withTransaction(this.#deps.pool, async (tx) => {
      const before = await this.#lockForChange(tx, id, expectedVersion);
      await deleteIntegrationRow(tx, id);
      await recordAudit(tx, context.actor, {
        action: 'integration.delete',
        targetType: 'integration',
        targetId: id,
        changes: { before: { name: before.name, connector: before.connector } },
        traceId: context.traceId,
      });
    });
  }

  /** Runs the connector's connection test with the stored settings; nothing is saved. */
  async testConnection(id: string, signal: AbortSignal): Promise<ConnectionResult> {
    const integration = await this.get(id);
    const connector = this.#deps.catalog.get(integration.connector);
    const credentials = await this.#openCredentials(integration);
    return connector.testConnection({
      config: integration.config,
      credentials,
      signal,
      network: this.#deps.network,
    });
  }

  /** Every URL and host of the config the hub would call, against the address policy. */
  async #checkOutboundTargets(config: Record<string, unknown>): Promise<void> {
    const problems = await refusedTargets(this.#deps.network, outboundTargets(config, 'config'));
    if (problems.length > 0) throw validationFailed(problems);
  }

  /** The decrypted credentials, for the code that calls the external system. Never for a response. */
  async #openCredentials(integration: StoredIntegration): Promise<Record<string, string>> {
    return openCredentials(this.#deps.vault, integration);
  }

  async #sealCredentials(tx: Queryable, id: string, credentials: Record<string, string>) {
    if (Object.keys(credentials).length === 0) {
      return { credentialsEncrypted: null, credentialsKeyId: null, credentialsHint: {} };
    }
    const sealed = await this.#deps.vault.seal(tx, credentials, credentialsAad(id));
    return {
      credentialsEncrypted: sealed.ciphertext,
      credentialsKeyId: sealed.keyId,
      credentialsHint: maskCredentials(credentials),
    };
  }

  async #lockForChange(tx: Queryable, id: string, expectedVersion: number | '*'): Promise<StoredIntegration> {
    const found = await findIntegration(tx, id, { forUpdate: true });
    if (!found) throw notFound('integration', id);
    if (expectedVersion !== '*' && found.version !== expectedVersion) {
      throw new HubError(
        'precondition',
        'VERSION_MISMATCH',
        `integration ${id} was changed since version ${expectedVersion}; it is at version ${found.version} now. Read it again and reapply your change`,
        { fields: [{ field: 'If-Match', message: `expected "${found.version}"` }] },
      );
    }
    return found;
  }
}

function diffCredentialKeys(before: Record<string, string>, after: Record<string, string>) {
  return {
    set: Object.keys(after).filter((key) => before[key] !== after[key]),
    removed: Object.keys(before).filter((key) => !(key in after)),
  };
}

function checkDelays(fields: IntegrationFields): void {
  if (fields.retryPolicy.maxDelayMs < fields.retryPolicy.initialDelayMs) {
    throw validationFailed([
      { field: 'retryPolicy.maxDelayMs', message: 'must not be less than initialDelayMs' },
    ]);
  }
}

function translateUniqueName(error: unknown): never {
  const pgError = error as { code?: string; constraint?: string };
  if (pgError.code === '23505' && pgError.constraint === 'integration_configs_name_unique') {
    throw new HubError('conflict', 'NAME_TAKEN', 'name: another integration already has this name', {
      fields: [{ field: 'name', message: 'is already taken' }],
    });
  }
  throw error;
}

function findTemplate(connector: AnyConnectorDefinition, id: string) {
  const template = connector.templates?.find((candidate) => candidate.id === id);
  if (!template) {
    const known = connector.templates?.map((candidate) => candidate.id).join(', ') || 'none';
    throw new HubError(
      'validation',
      'UNKNOWN_TEMPLATE',
      `template: "${id}" is not a template of ${connector.id} (${known})`,
      {
        fields: [{ field: 'template', message: `unknown template "${id}"` }],
      },
    );
  }
  return template;
}

/**
 * The entities of an integration created without naming them: those its settings describe, for a
 * generic connector that has any described; else every entity of the connector.
 */
function defaultEntities(connector: AnyConnectorDefinition, config: Record<string, unknown>): string[] {
  const configured = connector.configuredEntities?.(config) ?? [];
  const described = connector.entities.filter((entity) => configured.includes(entity));
  return described.length > 0 ? described : connector.entities;
}

/** A change of settings that leaves `entities` alone carries an integration along that followed its settings. */
function followedEntities(
  connector: AnyConnectorDefinition,
  before: StoredIntegration,
  config: Record<string, unknown>,
): string[] {
  const followed = defaultEntities(connector, before.config);
  const following =
    followed.length === before.entities.length &&
    followed.every((entity) => before.entities.includes(entity));
  return following ? defaultEntities(connector, config) : before.entities;
}
