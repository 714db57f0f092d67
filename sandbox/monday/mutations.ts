// The mutations the monday sandbox understands: webhooks (create_webhook, delete_webhook) and
// item changes (create_item, change_simple_column_value, delete_item), which fire the board's
// webhooks after the answer, as monday delivers them on its own time. A refused mutation is
// answered the GraphQL way, errors[] inside HTTP 200. Arguments are read as literals or from
// variables; this is not a GraphQL engine.
import type { MondayBoard } from './board.ts';
import { isMondayWebhookEvent, type MondayWebhooks } from './webhooks.ts';

type Args = Record<string, unknown>;

export async function answerMutation(
  query: string,
  variables: Args,
  board: MondayBoard,
  webhooks: MondayWebhooks,
): Promise<unknown> {
  const field = /^\s*mutation\b[^{]*\{\s*(\w+)/.exec(query)?.[1] ?? '';
  const args = fieldArguments(query, field, variables);
  const refuse = (message: string, code: string) => ({
    data: { [field]: null },
    errors: [{ message, extensions: { code } }],
    account_id: 1,
  });
  const required = requiredArguments[field];
  if (!required) return refuse(`Field '${field}' doesn't exist on type 'Mutation'`, 'undefinedField');
  const missing = required.filter((name) => args[name] === undefined || args[name] === null);
  if (missing.length > 0) {
    return refuse(
      `Field '${field}' is missing required arguments: ${missing.join(', ')}`,
      'missingRequiredArguments',
    );
  }
  const boardId = String(args.board_id ?? '');
  if ('board_id' in args && boardId !== board.id) {
    return refuse('The board does not exist or you have no access to it', 'InvalidBoardIdException');
  }
  const itemId = String(args.item_id ?? '');
  if ('item_id' in args && !board.item(itemId)) {
    return refuse('The item does not exist or you have no access to it', 'InvalidItemIdException');
  }
  const data = (value: unknown) => ({ data: { [field]: value } });

  switch (field) {
    case 'create_webhook': {
      if (!isMondayWebhookEvent(args.event)) {
        return refuse(
          `Argument 'event' on Field 'create_webhook' has an invalid value (${String(args.event)}). Expected type 'WebhookEventType!'.`,
          'argumentLiteralsIncompatible',
        );
      }
      const created = await webhooks.create({
        boardId,
        url: String(args.url),
        event: args.event,
        config: readConfig(args.config),
      });
      // monday's wording and code for a failed URL verification are unconfirmed.
      if (!created) return refuse('Failed to verify the webhook URL with a challenge', 'InvalidUrlException');
      return data({ id: created.id, board_id: created.boardId });
    }
    case 'delete_webhook': {
      const deleted = webhooks.delete(String(args.id));
      if (!deleted) return refuse('Webhook not found', 'ResourceNotFoundException');
      return data({ id: deleted.id, board_id: deleted.boardId });
    }
    case 'create_item':
      return data({ id: board.create(String(args.item_name)).item.id });
    case 'change_simple_column_value': {
      const column = String(args.column_id);
      const value = String(args.value ?? '');
      const item = board.item(itemId);
      if (column !== 'name' && !item?.column_values.some((entry) => entry.id === column)) {
        return refuse(`This column ID doesn't exist for the board`, 'InvalidColumnIdException');
      }
      void (column === 'name' ? board.rename(itemId, value) : board.changeColumnValue(itemId, column, value));
      return data({ id: itemId });
    }
    case 'delete_item':
      void board.delete(itemId);
      return data({ id: itemId });
  }
  return refuse(`Field '${field}' doesn't exist on type 'Mutation'`, 'undefinedField');
}

const requiredArguments: Record<string, string[]> = {
  create_webhook: ['board_id', 'url', 'event'],
  delete_webhook: ['id'],
  create_item: ['board_id', 'item_name'],
  change_simple_column_value: ['board_id', 'item_id', 'column_id'],
  delete_item: ['item_id'],
};

/** `field(name: value, …)` of the query: string, number and enum literals, or $variables. */
function fieldArguments(query: string, field: string, variables: Args): Args {
  const list = new RegExp(`\\b${field}\\s*\\(((?:"(?:[^"\\\\]|\\\\.)*"|[^)"])*)\\)`).exec(query)?.[1] ?? '';
  const args: Args = {};
  for (const [, name, raw = ''] of list.matchAll(/(\w+)\s*:\s*("(?:[^"\\]|\\.)*"|\$\w+|[\w.-]+)/g)) {
    if (!name) continue;
    args[name] = raw.startsWith('$') ? variables[raw.slice(1)] : raw.startsWith('"') ? unquote(raw) : raw;
  }
  return args;
}

function unquote(literal: string): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return literal.slice(1, -1);
  }
}

/** monday's JSON scalar arrives as an object or as a string holding JSON. */
function readConfig(config: unknown): { columnId?: string } {
  let value = config;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  const columnId = (value as { columnId?: unknown } | null | undefined)?.columnId;
  return typeof columnId === 'string' ? { columnId } : {};
}
