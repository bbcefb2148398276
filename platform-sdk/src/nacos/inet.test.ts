import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { findFirstNonLoopbackAddress } from './inet.js';

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4',
  mac: '00:00:00:00:00:00',
  internal,
  cidr: `${address}/24`,
});

const ifaces = {
  lo: [v4('127.0.0.1', true)],
  docker0: [v4('172.17.0.1')],
  eth0: [v4('10.1.2.3')],
  wlan0: [v4('192.168.1.20')],
};

describe('findFirstNonLoopbackAddress (InetUtils rules)', () => {
  it('takes the first non-loopback IPv4 in interface order', () => {
    expect(findFirstNonLoopbackAddress({}, ifaces)).toBe('172.17.0.1');
  });

  it('skips ignored interfaces by regex', () => {
    expect(findFirstNonLoopbackAddress({ ignoredInterfaces: ['docker.*', 'veth.*'] }, ifaces)).toBe(
      '10.1.2.3',
    );
  });

  it('honours preferred networks as regex or prefix', () => {
    expect(findFirstNonLoopbackAddress({ preferredNetworks: ['192.168'] }, ifaces)).toBe('192.168.1.20');
    expect(findFirstNonLoopbackAddress({ preferredNetworks: ['10\\.1\\..*'] }, ifaces)).toBe('10.1.2.3');
  });

  it('falls back to loopback when nothing qualifies', () => {
    expect(findFirstNonLoopbackAddress({ preferredNetworks: ['8.8.'] }, ifaces)).toBe('127.0.0.1');
    expect(findFirstNonLoopbackAddress({}, { lo: [v4('127.0.0.1', true)] })).toBe('127.0.0.1');
  });
});
