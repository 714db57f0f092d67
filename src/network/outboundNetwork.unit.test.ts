import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toConnectorError } from '../connectors/sdk/connectorError.ts';
import { AddressPolicy } from './addressPolicy.ts';
import { addressRefusal, OutboundNetwork } from './outboundNetwork.ts';
import { outboundTargets, refusedTargets } from './outboundTargets.ts';

let server: http.Server;
let port: number;
const hits: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/redirect') {
      res.writeHead(302, { location: `http://127.0.0.2:${port}/inside` }).end();
      return;
    }
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('connections through the outbound network', () => {
  it('refuses loopback by literal address and by name, before any byte is sent', async () => {
    const network = new OutboundNetwork();
    hits.length = 0;
    for (const url of [
      `http://127.0.0.1:${port}/a`,
      `http://localhost:${port}/b`,
      `http://[::1]:${port}/c`,
    ]) {
      const failure = await network.fetch(url).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(addressRefusal(failure)?.addressClass, url).toBe('loopback');
      const mapped = toConnectorError(failure, `GET ${url}`);
      expect(mapped.kind).toBe('config');
      expect(mapped.retryable).toBe(false);
      expect(mapped.message).toMatch(/is a loopback address, which this hub does not call/);
      expect(mapped.message).toContain('HUB_ALLOWED_NETWORKS');
    }
    expect(hits).toEqual([]);
    await network.close();
  });

  it('refuses through an agent of its own (the SDK client and the subscriber transport)', async () => {
    const network = new OutboundNetwork();
    const agent = network.agent({ connect: { timeout: 2_000 } });
    const failure = await request(`http://localhost:${port}/`, { dispatcher: agent }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(addressRefusal(failure)?.message).toMatch(/^localhost \(127\.0\.0\.1\) is a loopback address/);
    await agent.close();
    await network.close();
  });

  it('connects where the operator allowed it, and checks every hop of a redirect', async () => {
    const network = new OutboundNetwork(AddressPolicy.parse('127.0.0.1/32'));
    const answer = await network.fetch(`http://localhost:${port}/fine`);
    expect(await answer.text()).toBe('ok');
    const failure = await network.fetch(`http://127.0.0.1:${port}/redirect`).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(addressRefusal(failure)?.message).toMatch(/^127\.0\.0\.2 is a loopback address/);
    expect(hits).not.toContain('/inside');
    await network.close();
  });

  it('refuses a name that resolved to a public address when saved and to loopback when connecting (DNS rebinding)', async () => {
    let answers = 0;
    const rebinding = async () => [{ address: answers++ === 0 ? '93.184.215.14' : '127.0.0.1', family: 4 }];
    const network = new OutboundNetwork(new AddressPolicy(), rebinding);
    expect(await network.refusalOf('rebind.example')).toBeUndefined();
    hits.length = 0;
    const failure = await network.fetch(`http://rebind.example:${port}/secret`).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(addressRefusal(failure)?.message).toMatch(
      /^rebind\.example \(127\.0\.0\.1\) is a loopback address/,
    );
    expect(hits).toEqual([]);
    await network.close();
  });

  it('connects only to the allowed ones of a name’s addresses', async () => {
    const mixed = async () => [
      { address: '10.0.0.1', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    const network = new OutboundNetwork(AddressPolicy.parse('127.0.0.1'), mixed);
    const answer = await network.fetch(`http://mixed.example:${port}/mixed`);
    expect(await answer.text()).toBe('ok');
    await network.close();
  });

  it('refuses the metadata service by name, whatever DNS would say', async () => {
    const network = new OutboundNetwork();
    const failure = await network.fetch('http://metadata.google.internal/computeMetadata/v1/').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(addressRefusal(failure)?.addressClass).toBe('cloud metadata');
    await network.close();
  });

  it('resolves hosts for socket protocols to a checked address', async () => {
    const open = new OutboundNetwork(AddressPolicy.parse('127.0.0.0/8'));
    expect(await open.resolve('localhost')).toEqual({ address: '127.0.0.1', family: 4 });
    expect(await open.resolve('127.0.0.9')).toEqual({ address: '127.0.0.9', family: 4 });
    const closed = new OutboundNetwork();
    await expect(closed.resolve('localhost')).rejects.toThrow(/loopback/);
    await expect(closed.resolve('10.0.0.1')).rejects.toThrow(/private/);
    await expect(closed.resolve('[::1]')).rejects.toThrow(/loopback/);
    await open.close();
    await closed.close();
  });
});

describe('the check when settings are saved', () => {
  const network = new OutboundNetwork();
  afterAll(() => network.close());

  it('finds every URL and host of a config, named by field, headers aside', () => {
    const targets = outboundTargets(
      {
        baseUrl: 'https://erp.example.org/api',
        auth: { kind: 'oauth2', tokenUrl: 'http://[::1]:9/token' },
        imap: { host: '10.0.0.1', port: 993 },
        headers: { referer: 'http://127.0.0.1/' },
        resources: { customer: { path: 'http://0x7f.1/customers' } },
        name: 'not a url',
      },
      'config',
    );
    expect(targets).toEqual([
      { field: 'config.baseUrl', host: 'erp.example.org' },
      { field: 'config.auth.tokenUrl', host: '::1' },
      { field: 'config.imap.host', host: '10.0.0.1' },
      { field: 'config.resources.customer.path', host: '127.0.0.1' },
    ]);
  });

  it('refuses literal addresses and names that resolve only to refused addresses, and lets unknown names pass', async () => {
    const problems = await refusedTargets(network, [
      { field: 'config.baseUrl', host: '169.254.169.254' },
      { field: 'config.tokenUrl', host: 'localhost' },
      { field: 'config.imap.host', host: '0x7f000001' },
      { field: 'url', host: 'erp.invalid' },
      { field: 'config.other', host: '8.8.8.8' },
    ]);
    expect(problems.map((problem) => problem.field)).toEqual([
      'config.baseUrl',
      'config.tokenUrl',
      'config.imap.host',
    ]);
    expect(problems[0]?.message).toMatch(/169\.254\.169\.254 is a cloud metadata address/);
    expect(problems[1]?.message).toMatch(/localhost \(127\.0\.0\.1\) is a loopback address/);
  });
});
