// The monday sandbox's one board: its items, and the changes a monday user makes to them, each
// announced to the board's webhooks in the payload shape monday sends for it.
import type { MondayWebhooks, SigningOptions, WebhookDelivery } from './webhooks.ts';

export interface MondayItem {
  id: string;
  name: string;
  updated_at: string;
  column_values: { id: string; text: string }[];
}

const GROUP = { groupId: 'topics', isTopGroup: true };
const COLUMN_TITLES: Record<string, string> = { stadt: 'Stadt', telefon: 'Telefon' };

export class MondayBoard {
  readonly id: string;
  readonly items: MondayItem[];
  readonly #webhooks: MondayWebhooks;
  #clock = Date.now();

  constructor(id: string, items: MondayItem[], webhooks: MondayWebhooks) {
    this.id = id;
    this.items = items;
    this.#webhooks = webhooks;
  }

  item(id: string): MondayItem | undefined {
    return this.items.find((item) => item.id === id);
  }

  /** A text column's new value (monday's change_simple_column_value). */
  changeColumnValue(
    itemId: string,
    columnId: string,
    text: string,
    signing?: SigningOptions,
  ): Promise<WebhookDelivery[]> {
    const item = this.#existing(itemId);
    const column = item.column_values.find((value) => value.id === columnId);
    if (!column) throw new Error(`item ${itemId} has no column ${columnId}`);
    const previous = column.text;
    column.text = text;
    const changedAt = this.#touch(item);
    return this.#webhooks.emit(
      {
        event: 'change_column_value',
        boardId: this.id,
        columnId,
        payload: {
          pulseId: Number(item.id),
          pulseName: item.name,
          ...GROUP,
          columnId,
          columnType: 'text',
          columnTitle: COLUMN_TITLES[columnId] ?? columnId,
          value: { value: text },
          previousValue: previous ? { value: previous } : null,
          changedAt: changedAt / 1000,
        },
      },
      signing,
    );
  }

  rename(itemId: string, name: string, signing?: SigningOptions): Promise<WebhookDelivery[]> {
    const item = this.#existing(itemId);
    const previous = item.name;
    item.name = name;
    const changedAt = this.#touch(item);
    return this.#webhooks.emit(
      {
        event: 'change_name',
        boardId: this.id,
        payload: {
          pulseId: Number(item.id),
          pulseName: name,
          ...GROUP,
          value: { name },
          previousValue: { name: previous },
          changedAt: changedAt / 1000,
        },
      },
      signing,
    );
  }

  /** The new item at once; its webhooks' deliveries when they are answered. */
  create(name: string): { item: MondayItem; deliveries: Promise<WebhookDelivery[]> } {
    const id = String(Math.max(0, ...this.items.map((item) => Number(item.id))) + 1);
    const item: MondayItem = {
      id,
      name,
      updated_at: '',
      column_values: Object.keys(COLUMN_TITLES).map((column) => ({ id: column, text: '' })),
    };
    this.#touch(item);
    this.items.push(item);
    const deliveries = this.#webhooks.emit({
      event: 'create_item',
      boardId: this.id,
      payload: {
        pulseId: Number(id),
        pulseName: name,
        ...GROUP,
        groupName: 'Group Title',
        groupColor: '#579bfc',
        columnValues: {},
      },
    });
    return { item, deliveries };
  }

  // Which item fields delete_pulse carries is unconfirmed; here the same as the other events.
  delete(itemId: string): Promise<WebhookDelivery[]> {
    const item = this.#existing(itemId);
    this.items.splice(this.items.indexOf(item), 1);
    return this.#webhooks.emit({
      event: 'item_deleted',
      boardId: this.id,
      payload: { pulseId: Number(item.id), pulseName: item.name, ...GROUP },
    });
  }

  #existing(itemId: string): MondayItem {
    const item = this.item(itemId);
    if (!item) throw new Error(`no item ${itemId} on board ${this.id}`);
    return item;
  }

  /** Moves the item's updated_at on, strictly later than any change before. */
  #touch(item: MondayItem): number {
    this.#clock = Math.max(Date.now(), this.#clock + 1000);
    item.updated_at = new Date(this.#clock).toISOString();
    return this.#clock;
  }
}
