// The hub's command line: `npm run hub -- <command>`. Commands work beside a running hub:
// with the embedded database they attach to the running hub's server.
import { parseArgs } from 'node:util';
import { generateToken, insertApiToken } from '../access/apiTokens.ts';
import { type Role, roles, systemPrincipal } from '../access/principal.ts';
import { recordAudit } from '../audit/recordAudit.ts';
import { ConfigError, type HubConfig, loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { type OpenDatabase, openDatabase } from '../db/openDatabase.ts';
import { withTransaction } from '../db/pool.ts';
import { createLogger } from '../observability/logger.ts';
import { readKeyStatus } from '../vault/keyStatus.ts';
import { loadMasterKeys, replaceGeneratedMasterKey } from '../vault/masterKey.ts';
import { rewrapDataKeys, rotateDataKey } from '../vault/rotateKeys.ts';
import { Vault } from '../vault/vault.ts';

const usage = `usage: npm run hub -- <command>

  migrate                         apply database migrations
  keys status                     show master and data key ids and what they protect
  keys rotate                     new data key; re-encrypt every credential; delete the old key
  keys rotate-master              re-wrap data keys under a new master key:
                                    with HUB_MASTER_KEY set: give the old one as HUB_MASTER_KEY_PREVIOUS
                                    without: a new key is generated in HUB_DATA_DIR
  tokens create --name N --role R create an API token (R: admin, operator, viewer); printed once
`;

const actor = { ...systemPrincipal, name: 'cli' };

type Command = (config: HubConfig, database: OpenDatabase, args: string[]) => Promise<void>;

const commands: Record<string, Command> = {
  migrate: async (_config, database) => {
    const applied = await migrate(database.pool);
    print(applied.length ? `applied migrations ${applied.join(', ')}` : 'database is up to date');
  },
  'keys status': async (config, database) => {
    print(JSON.stringify(await readKeyStatus(database.pool, await openVault(config, database)), null, 2));
  },
  'keys rotate': async (config, database) => {
    const rotation = await rotateDataKey(database.pool, await openVault(config, database), { actor });
    print(
      `data key ${rotation.keyId} is active; re-encrypted ${rotation.reencrypted} values; removed ${rotation.removedKeyIds.join(', ') || 'no keys'}`,
    );
  },
  'keys rotate-master': async (config, database) => {
    const keys = await loadMasterKeys(config);
    if (config.masterKey && !config.previousMasterKey) {
      throw new ConfigError(
        'HUB_MASTER_KEY_PREVIOUS: set it to the old master key when HUB_MASTER_KEY is the new one',
      );
    }
    if (!config.masterKey && keys.file) await replaceGeneratedMasterKey(keys.file);
    const vault = new Vault(database.pool, await loadMasterKeys(config));
    const rewrapped = await rewrapDataKeys(database.pool, vault, { actor });
    print(
      `re-wrapped ${rewrapped} data keys under master key ${vault.masterKeyId}. Restart hub processes with the new key; the previous key can then be removed.`,
    );
  },
  'tokens create': async (_config, database, args) => {
    const { values } = parseArgs({ args, options: { name: { type: 'string' }, role: { type: 'string' } } });
    if (!values.name) throw new ConfigError('--name: required');
    if (!roles.includes(values.role as Role))
      throw new ConfigError(`--role: must be one of ${roles.join(', ')}`);
    const token = generateToken();
    await withTransaction(database.pool, async (tx) => {
      const row = await insertApiToken(tx, {
        name: values.name!,
        role: values.role as Role,
        token,
        createdBy: 'cli',
      });
      await recordAudit(tx, actor, {
        action: 'api_token.create',
        targetType: 'api_token',
        targetId: row.id,
        changes: { after: { name: row.name, role: row.role } },
      });
    });
    print(token);
  },
};

async function openVault(config: HubConfig, database: OpenDatabase): Promise<Vault> {
  const vault = new Vault(database.pool, await loadMasterKeys(config));
  await vault.verifyMasterKey();
  return vault;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(argv: string[]): Promise<void> {
  const name = argv[0] === 'keys' || argv[0] === 'tokens' ? `${argv[0]} ${argv[1] ?? ''}` : (argv[0] ?? '');
  const command = commands[name];
  if (!command) {
    process.stderr.write(usage);
    process.exit(2);
  }
  const config = loadConfig();
  const database = await openDatabase(config, createLogger('warn'), { attach: true });
  try {
    if (name !== 'migrate') await migrate(database.pool);
    await command(config, database, argv.slice(name.split(' ').length));
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`integration-hub: ${(error as Error).message}\n`);
  process.exit(1);
});
