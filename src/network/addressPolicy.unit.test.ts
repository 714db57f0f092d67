import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { AddressPolicy, addressClass } from './addressPolicy.ts';

describe('the address classes the hub refuses by default', () => {
  const cases: [string, string | undefined][] = [
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.169.254', 'cloud metadata'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['100.100.100.200', 'cloud metadata'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['10.0.0.1', 'private (RFC 1918)'],
    ['172.16.5.4', 'private (RFC 1918)'],
    ['172.31.255.255', 'private (RFC 1918)'],
    ['192.168.1.1', 'private (RFC 1918)'],
    ['100.64.0.1', 'carrier-grade NAT (100.64.0.0/10)'],
    ['100.127.255.255', 'carrier-grade NAT (100.64.0.0/10)'],
    ['fc00::1', 'unique local (fc00::/7)'],
    ['fd12:3456::1', 'unique local (fc00::/7)'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'reserved (reserved)'],
    ['240.0.0.1', 'reserved (reserved)'],
    // IPv4-mapped and -compatible IPv6 reach the IPv4 address they carry.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    ['::ffff:10.0.0.1', 'private (RFC 1918)'],
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'IPv4-compatible IPv6'],
    ['::a9fe:a9fe', 'cloud metadata'],
    // NAT64 and 6to4 embed IPv4 addresses too.
    ['64:ff9b::a9fe:a9fe', 'reserved (rfc6052)'],
    ['2002:a9fe:a9fe::1', 'reserved (6to4)'],
    ['2001:db8::1', 'reserved (reserved)'],
    ['[::1]', 'loopback'],
    // Public addresses pass.
    ['8.8.8.8', undefined],
    ['93.184.215.14', undefined],
    ['172.32.0.1', undefined],
    ['100.128.0.1', undefined],
    ['2a00:1450:4001:82b::200e', undefined],
    ['2606:4700::1111', undefined],
  ];
  for (const [address, expected] of cases) {
    it(`${address}: ${expected ?? 'public'}`, () => {
      expect(addressClass(address)).toBe(expected);
      expect(new AddressPolicy().refusal(address)).toBe(expected);
    });
  }

  it('treats non-standard IPv4 spellings as names to resolve, not as addresses', () => {
    expect(addressClass('0x7f000001')).toBe('unparseable');
    expect(addressClass('2130706433')).toBe('unparseable');
  });
});

describe('HUB_ALLOWED_NETWORKS', () => {
  it('allows what the operator lists, CIDRs and single addresses, IPv4-mapped forms included', () => {
    const policy = AddressPolicy.parse('127.0.0.0/8, ::1/128,10.1.2.3');
    expect(policy.refusal('127.0.0.1')).toBeUndefined();
    expect(policy.refusal('127.1.2.3')).toBeUndefined();
    expect(policy.refusal('::1')).toBeUndefined();
    expect(policy.refusal('::ffff:127.0.0.1')).toBeUndefined();
    expect(policy.refusal('10.1.2.3')).toBeUndefined();
    expect(policy.refusal('10.1.2.4')).toBe('private (RFC 1918)');
    expect(policy.refusal('169.254.169.254')).toBe('cloud metadata');
    expect(policy.allowed).toEqual(['127.0.0.0/8', '::1/128', '10.1.2.3']);
  });

  it('is empty by default and refuses every special range', () => {
    const policy = AddressPolicy.parse(undefined);
    expect(policy.allowed).toEqual([]);
    expect(policy.refusal('127.0.0.1')).toBe('loopback');
    expect(AddressPolicy.parse(' ').allowed).toEqual([]);
  });

  it('names an entry that is neither an address nor a CIDR', () => {
    expect(() => AddressPolicy.parse('127.0.0.0/8,intranet')).toThrow(/"intranet" is not an address or CIDR/);
    expect(() => AddressPolicy.parse('10.0.0.0/33')).toThrow(/"10.0.0.0\/33"/);
    expect(() => AddressPolicy.parse('::1/129')).toThrow(/"::1\/129"/);
  });

  it('stops the start with one line naming the variable when an entry is bad', () => {
    const attempt = () => loadConfig({ HUB_ALLOWED_NETWORKS: '127.0.0.0/8,intranet' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      /^invalid configuration: HUB_ALLOWED_NETWORKS: "intranet" is not an address or CIDR/,
    );
    expect(loadConfig({ HUB_ALLOWED_NETWORKS: '127.0.0.0/8,::1/128' }).allowedNetworks.allowed).toEqual([
      '127.0.0.0/8',
      '::1/128',
    ]);
    expect(loadConfig({}).allowedNetworks.allowed).toEqual([]);
  });

  it('refuses metadata host names unless the metadata address itself is allowed', () => {
    expect(new AddressPolicy().hostnameRefusal('metadata.google.internal')).toBe('cloud metadata');
    expect(new AddressPolicy().hostnameRefusal('METADATA.GOOGLE.INTERNAL.')).toBe('cloud metadata');
    expect(new AddressPolicy().hostnameRefusal('erp.example.org')).toBeUndefined();
    expect(
      AddressPolicy.parse('169.254.169.254').hostnameRefusal('metadata.google.internal'),
    ).toBeUndefined();
  });
});
