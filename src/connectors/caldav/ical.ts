// Reads the event of one calendar object (.ics): the few VEVENT properties the hub maps, with
// folded lines joined, text unescaped, and times as ISO 8601. A time with a TZID becomes local
// time with that zone's offset; all-day dates (VALUE=DATE) stay plain dates.

export interface Attendee {
  email: string;
  name?: string;
  role?: string;
  status?: string;
}

export interface CalendarEventData {
  uid?: string;
  summary?: string;
  description?: string;
  location?: string;
  status?: string;
  dtstart?: string;
  dtend?: string;
  allDay: boolean;
  timezone?: string;
  rrule?: string;
  organizer?: Attendee;
  attendees: Attendee[];
  categories: string[];
  sequence?: number;
  created?: string;
  lastModified?: string;
}

interface Property {
  name: string;
  params: Record<string, string>;
  value: string;
}

/** The master event of a calendar object, or undefined when it holds no VEVENT (a task, a journal). */
export function parseCalendarObject(ics: string): CalendarEventData | undefined {
  const events: Property[][] = [];
  const stack: string[] = [];
  for (const line of ics.replace(/\r?\n[ \t]/g, '').split(/\r?\n/)) {
    if (!line) continue;
    const property = parseLine(line);
    if (!property) continue;
    if (property.name === 'BEGIN') {
      stack.push(property.value.toUpperCase());
      if (stack.at(-1) === 'VEVENT') events.push([]);
    } else if (property.name === 'END') {
      stack.pop();
    } else if (stack.at(-1) === 'VEVENT') {
      events.at(-1)?.push(property);
    }
  }
  // Overrides of single occurrences carry a RECURRENCE-ID; the series itself does not.
  const master = events.find((event) => !event.some((p) => p.name === 'RECURRENCE-ID')) ?? events[0];
  return master ? toEvent(master) : undefined;
}

function toEvent(properties: Property[]): CalendarEventData {
  const first = (name: string) => properties.find((property) => property.name === name);
  const text = (name: string) => {
    const property = first(name);
    return property ? unescapeText(property.value) : undefined;
  };
  const start = first('DTSTART');
  const startTime = start ? parseTime(start) : undefined;
  const end = first('DTEND');
  let dtend = end ? parseTime(end)?.iso : undefined;
  const duration = first('DURATION')?.value;
  if (!dtend && startTime) {
    if (duration) dtend = addDuration(startTime, duration);
    // RFC 5545 3.6.1: an all-day event without an end lasts that one day.
    else if (startTime.allDay) dtend = addDuration(startTime, 'P1D');
  }
  const sequence = Number.parseInt(first('SEQUENCE')?.value ?? '', 10);
  const event: CalendarEventData = {
    allDay: startTime?.allDay ?? false,
    attendees: properties.filter((property) => property.name === 'ATTENDEE').map(toAttendee),
    categories: properties
      .filter((property) => property.name === 'CATEGORIES')
      .flatMap((property) => splitList(property.value).map(unescapeText)),
  };
  const optional: Partial<CalendarEventData> = {
    uid: text('UID'),
    summary: text('SUMMARY'),
    description: text('DESCRIPTION'),
    location: text('LOCATION'),
    status: text('STATUS'),
    dtstart: startTime?.iso,
    dtend,
    timezone: start?.params.TZID,
    rrule: first('RRULE')?.value,
    organizer: first('ORGANIZER') ? toAttendee(first('ORGANIZER')!) : undefined,
    sequence: Number.isNaN(sequence) ? undefined : sequence,
    created: first('CREATED') ? parseTime(first('CREATED')!)?.iso : undefined,
    lastModified: first('LAST-MODIFIED') ? parseTime(first('LAST-MODIFIED')!)?.iso : undefined,
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (event as unknown as Record<string, unknown>)[key] = value;
  }
  return event;
}

/** NAME;PARAM=value;PARAM="quoted:value":the value — the value starts at the first unquoted colon. */
function parseLine(line: string): Property | undefined {
  let quoted = false;
  let colon = -1;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (char === '"') quoted = !quoted;
    else if (char === ':' && !quoted) {
      colon = index;
      break;
    }
  }
  if (colon < 0) return undefined;
  const [name = '', ...rawParams] = splitOutsideQuotes(line.slice(0, colon), ';');
  const params: Record<string, string> = {};
  for (const raw of rawParams) {
    const equals = raw.indexOf('=');
    if (equals > 0) params[raw.slice(0, equals).toUpperCase()] = raw.slice(equals + 1).replace(/^"|"$/g, '');
  }
  return { name: name.toUpperCase(), params, value: line.slice(colon + 1) };
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let current = '';
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

/** Splits a TEXT list at commas that are not escaped. */
function splitList(value: string): string[] {
  return value.split(/(?<!\\),/).filter((item) => item.length > 0);
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, char: string) => (char === 'n' || char === 'N' ? '\n' : char));
}

function toAttendee(property: Property): Attendee {
  const attendee: Attendee = { email: property.value.replace(/^mailto:/i, '') };
  if (property.params.CN) attendee.name = property.params.CN;
  if (property.params.ROLE) attendee.role = property.params.ROLE;
  if (property.params.PARTSTAT) attendee.status = property.params.PARTSTAT;
  return attendee;
}

interface ParsedTime {
  iso: string;
  allDay: boolean;
  /** The instant, when the time is not floating. */
  epochMs?: number;
}

function parseTime(property: Property): ParsedTime | undefined {
  const value = property.value.trim();
  const date = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (date || property.params.VALUE === 'DATE') {
    if (!date) return undefined;
    return { iso: `${date[1]}-${date[2]}-${date[3]}`, allDay: true };
  }
  const time = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/.exec(value);
  if (!time) return undefined;
  const [, year, month, day, hour, minute, second, utc] = time;
  const local = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
  const wall = Date.UTC(+year!, +month! - 1, +day!, +hour!, +minute!, +second!);
  if (utc) return { iso: `${local}Z`, allDay: false, epochMs: wall };
  const zone = property.params.TZID ? knownZone(property.params.TZID) : undefined;
  // Floating time, or a zone only the object's VTIMEZONE defines: the local time as written.
  if (!zone) return { iso: local, allDay: false };
  let offset = offsetMinutes(zone, wall);
  // Near a DST change the offset at the guessed instant may differ from the one at the real instant.
  offset = offsetMinutes(zone, wall - offset * 60_000);
  return { iso: `${local}${formatOffset(offset)}`, allDay: false, epochMs: wall - offset * 60_000 };
}

const zoneFormats = new Map<string, Intl.DateTimeFormat | null>();

/** An IANA zone Intl knows; also from prefixed ids like /mozilla.org/20050126_1/Europe/Berlin. */
function knownZone(tzid: string): Intl.DateTimeFormat | undefined {
  if (!zoneFormats.has(tzid)) {
    let format: Intl.DateTimeFormat | null = null;
    for (const candidate of [tzid, /[A-Za-z_]+\/[A-Za-z_+-]+(?:\/[A-Za-z_+-]+)?$/.exec(tzid)?.[0]]) {
      if (!candidate) continue;
      try {
        format = new Intl.DateTimeFormat('en-US', {
          timeZone: candidate,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        });
        break;
      } catch {}
    }
    zoneFormats.set(tzid, format);
  }
  return zoneFormats.get(tzid) ?? undefined;
}

function offsetMinutes(zone: Intl.DateTimeFormat, epochMs: number): number {
  const parts: Record<string, number> = {};
  for (const part of zone.formatToParts(epochMs)) parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return Math.round((wall - Math.floor(epochMs / 1000) * 1000) / 60_000);
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const absolute = Math.abs(minutes);
  return `${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`;
}

/** DTSTART plus a DURATION (P1D, PT1H30M, P1W): a date for all-day events, else a UTC time. */
function addDuration(start: ParsedTime, duration: string): string | undefined {
  const match = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(
    duration.trim(),
  );
  if (!match) return undefined;
  const [, sign, weeks, days, hours, minutes, seconds] = match;
  const factor = sign === '-' ? -1 : 1;
  const totalDays = (Number(weeks ?? 0) * 7 + Number(days ?? 0)) * factor;
  const rest = (Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0)) * 1000 * factor;
  if (start.allDay) {
    const date = new Date(`${start.iso}T00:00:00Z`);
    date.setUTCDate(date.getUTCDate() + totalDays);
    return date.toISOString().slice(0, 10);
  }
  if (start.epochMs === undefined) return undefined;
  return new Date(start.epochMs + totalDays * 86_400_000 + rest).toISOString().replace('.000Z', 'Z');
}
