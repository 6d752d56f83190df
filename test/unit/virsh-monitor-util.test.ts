// The monitoring commands' helpers where the test driver cannot reach them: typed parameters of
// every type (vshGetTypedParamValue, through the typed API and on the wire), MAC addresses as virMacAddrParse reads them, vshPrettyCapacity.
import { expect } from 'chai';
import type { TypedParamValue } from '../../src/index.js';
import { fromTypedParams } from '../../src/api/convert.js';
import { typedParamValue, type WireParam } from '../../src/cli/virsh/domain-config-util.js';
import { normalizeMac, prettyCapacity } from '../../src/cli/virsh/monitor-util.js';
import { typedParamString } from '../../src/cli/vsh/typed-params.js';

describe('virsh monitoring helpers', () => {
  it('prints typed parameters as vshGetTypedParamValue', () => {
    const p = (value: WireParam['value']): WireParam => ({ field: 'f', value });
    // The typed API's values (with the wire types kept) and the wire printer of the raw callers print alike.
    const viaApi = (w: WireParam): string => {
      const params = fromTypedParams([w]);
      return typedParamString(params, 'f', params['f'] as TypedParamValue);
    };
    for (const text of [viaApi, typedParamValue]) {
      expect(text(p({ type: 1, i: -5 }))).to.equal('-5');
      expect(text(p({ type: 2, ui: 4294967295 }))).to.equal('4294967295');
      expect(text(p({ type: 3, l: -(1n << 63n) }))).to.equal('-9223372036854775808');
      expect(text(p({ type: 4, ul: (1n << 64n) - 1n }))).to.equal('18446744073709551615');
      expect(text(p({ type: 5, d: 5 }))).to.equal('5.000000');
      expect(text(p({ type: 5, d: 0.1234567 }))).to.equal('0.123457');
      expect(text(p({ type: 6, b: 1 }))).to.equal('yes');
      expect(text(p({ type: 6, b: 0 }))).to.equal('no');
      expect(text(p({ type: 7, s: 'x y' }))).to.equal('x y');
    }
  });

  it('reads MAC addresses as virMacAddrParse and formats them in lower case', () => {
    expect(normalizeMac('AA:BB:CC:DD:EE:FF')).to.equal('aa:bb:cc:dd:ee:ff');
    expect(normalizeMac('a:b:c:d:e:f')).to.equal('0a:0b:0c:0d:0e:0f');
    expect(normalizeMac('aa:bb:cc:dd:ee:ff trailing')).to.equal('aa:bb:cc:dd:ee:ff');
    expect(normalizeMac('aa:bb:cc:dd:ee')).to.equal('');
    expect(normalizeMac('aa:bb:cc:dd:ee:fff')).to.equal('');
    expect(normalizeMac('aa:bb:cc:dd:ee:ff:00')).to.equal('');
    expect(normalizeMac(' aa:bb:cc:dd:ee:ff')).to.equal('');
    expect(normalizeMac('+a:bb:cc:dd:ee:ff')).to.equal('');
    expect(normalizeMac('0x1:bb:cc:dd:ee:ff')).to.equal('');
    expect(normalizeMac('vnet0')).to.equal('');
  });

  it('scales capacities as vshPrettyCapacity', () => {
    expect(prettyCapacity(1023)).to.deep.equal({ value: 1023, unit: 'B' });
    expect(prettyCapacity(1024)).to.deep.equal({ value: 1, unit: 'KiB' });
    expect(prettyCapacity(1536n * 1024n * 1024n)).to.deep.equal({ value: 1.5, unit: 'GiB' });
    expect(prettyCapacity(1n << 60n).unit).to.equal('EiB');
    expect(prettyCapacity((1n << 64n) - 1n).unit).to.equal('EiB');
  });
});
