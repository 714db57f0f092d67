// Starts the SOAP sandbox: server.php under PHP's built-in web server on a free port, with its state
// (customers, articles, credentials, queued faults, the call log) in a JSON file of a temp dir.
// Needs php with the soap extension (Debian: php8.2-cli, php8.2-soap).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCustomers, seededRandom } from '../recordSource/customers.ts';

export interface Kunde {
  Kundennummer: string;
  Firma: string;
  Strasse: string;
  PLZ: string;
  Ort: string;
  Telefon: string;
  /** ISO time (UTC); the service answers it in Europe/Berlin time. */
  GeaendertAm: string;
}

export interface Artikel {
  Artikelnummer: string;
  Bezeichnung: string;
  Einheit: string;
  Preis: string;
  Warengruppe: string;
  EAN: string;
}

export interface SoapCall {
  operation: string;
  /** Unix seconds with microseconds. */
  at: number;
  auth?: string;
  args?: Record<string, unknown>;
  answer?: string;
}

interface SandboxState {
  benutzer: string;
  passwort: string;
  kunden: Kunde[];
  artikel: Artikel[];
  aenderungsprotokollAb: string | null;
  faults: { type: 'ueberlastet' | 'wartung'; retryAfter: number }[];
  calls: SoapCall[];
}

export interface SoapSandbox {
  url: string;
  wsdlUrl: string;
  endpoint: string;
  username: string;
  password: string;
  kunden(): Promise<Kunde[]>;
  changeKunde(kundennummer: string, patch: Partial<Kunde>): Promise<void>;
  removeKunde(kundennummer: string): Promise<void>;
  /** The next calls answer a fault `Server.Ueberlastet` (or HTTP 503 for "wartung") with Retry-After. */
  throttle(calls: number, retryAfterSeconds: number, type?: 'ueberlastet' | 'wartung'): Promise<void>;
  /** Every change so far is forgotten: a "changed since" before now is answered with a fault. */
  expireChangeLog(): Promise<void>;
  calls(): Promise<SoapCall[]>;
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const FIRST_CHANGE = Date.parse('2026-10-01T06:00:00.000Z');

export async function startSoapSandbox(
  options: { kunden?: number; artikel?: number; port?: number } = {},
): Promise<SoapSandbox> {
  const directory = await mkdtemp(path.join(tmpdir(), 'soap-sandbox-'));
  const stateFile = path.join(directory, 'state.json');
  const kundenCount = options.kunden ?? 120;
  const initial: SandboxState = {
    benutzer: 'hub-abgleich',
    passwort: 'Käse&Brot-2026',
    kunden: generateCustomers(kundenCount, 11).map((customer, index) => ({
      Kundennummer: customer.kundennummer,
      Firma: customer.firma,
      Strasse: `${customer.adresse.strasse} ${customer.adresse.hausnummer}`,
      PLZ: customer.adresse.plz,
      Ort: customer.adresse.ort,
      Telefon: customer.ansprechpartner.telefon,
      GeaendertAm: new Date(FIRST_CHANGE + index * 600_000).toISOString(),
    })),
    artikel: generateArtikel(options.artikel ?? 45),
    aenderungsprotokollAb: null,
    faults: [],
    calls: [],
  };
  await writeFile(stateFile, JSON.stringify(initial));

  const port = options.port ?? (await freePort());
  const php = spawn('php', ['-S', `127.0.0.1:${port}`, 'server.php'], {
    cwd: here,
    env: { ...process.env, SOAP_SANDBOX_STATE: stateFile },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  php.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilServing(php, `${url}/soap?wsdl`, () => output);

  // The PHP script rewrites the file in place under a lock, so a read may catch it half written;
  // changes from here are meant for between calls and replace the file whole.
  const read = async (): Promise<SandboxState> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return JSON.parse(await readFile(stateFile, 'utf8')) as SandboxState;
      } catch (error) {
        if (attempt === 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  };
  const change = async (apply: (state: SandboxState) => void) => {
    const state = await read();
    apply(state);
    await writeFile(`${stateFile}.new`, JSON.stringify(state));
    await rename(`${stateFile}.new`, stateFile);
  };
  // The service's clock: whole seconds, as it answers them, and never twice the same.
  let clock = FIRST_CHANGE + kundenCount * 600_000;
  const tick = () => {
    clock = Math.max(Math.ceil(Date.now() / 1000) * 1000, clock + 1000);
    return new Date(clock).toISOString();
  };

  return {
    url,
    wsdlUrl: `${url}/soap?wsdl`,
    endpoint: `${url}/soap`,
    username: initial.benutzer,
    password: initial.passwort,
    kunden: async () => (await read()).kunden,
    changeKunde: (kundennummer, patch) =>
      change((state) => {
        const kunde = state.kunden.find((item) => item.Kundennummer === kundennummer);
        if (!kunde) throw new Error(`no Kunde ${kundennummer}`);
        Object.assign(kunde, patch, { GeaendertAm: tick() });
      }),
    removeKunde: (kundennummer) =>
      change((state) => {
        state.kunden = state.kunden.filter((item) => item.Kundennummer !== kundennummer);
      }),
    throttle: (calls, retryAfterSeconds, type = 'ueberlastet') =>
      change((state) => {
        for (let index = 0; index < calls; index++)
          state.faults.push({ type, retryAfter: retryAfterSeconds });
      }),
    expireChangeLog: () =>
      change((state) => {
        state.aenderungsprotokollAb = tick();
      }),
    calls: async () => (await read()).calls,
    close: async () => {
      if (php.exitCode === null) {
        php.kill('SIGTERM');
        await once(php, 'exit');
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function generateArtikel(count: number): Artikel[] {
  const random = seededRandom(23);
  const sorten = [
    ['Bergkäse, 6 Monate gereift', 'kg', 'Käse'],
    ['Weißwürste, Metzgerqualität', 'kg', 'Fleisch & Wurst'],
    ['Brezen, tiefgekühlt', 'Karton', 'Backwaren'],
    ['Sauerkraut, Fass', 'kg', 'Feinkost'],
    ['Rapsöl, kaltgepresst', 'Kanister', 'Öle & Fette'],
    ['Äpfel Elstar, Klasse I', 'Kiste', 'Obst & Gemüse'],
    ['Schlagsahne 30 %', 'Liter', 'Molkereiprodukte'],
  ] as const;
  return Array.from({ length: count }, (_, index) => {
    const [name, unit, group] = sorten[index % sorten.length] as (typeof sorten)[number];
    return {
      Artikelnummer: `A-${20_000 + index}`,
      Bezeichnung: name,
      Einheit: unit,
      Preis: (1 + Math.round(random() * 4000) / 100).toFixed(2),
      Warengruppe: group,
      EAN: `400${String(1_000_000_000 + index * 7919).padStart(10, '0')}`,
    };
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntilServing(php: ChildProcess, wsdlUrl: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (php.exitCode !== null) throw new Error(`php -S exited (${php.exitCode}): ${output()}`);
    try {
      const response = await fetch(wsdlUrl);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  php.kill('SIGTERM');
  throw new Error(`php -S did not serve ${wsdlUrl} within 10 s: ${output()}`);
}
