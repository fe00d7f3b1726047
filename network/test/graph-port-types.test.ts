import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FLOW } from '../src/messages/flow.ts';
import { formatPortType, inferType, isCompatible, isPortType, toPortType, type PortType, type PortTypeSpec } from '../src/port-types.ts';

const t = (spec: PortTypeSpec): PortType => toPortType(spec);
const arrayOf = (value: PortType): PortType => ({ type: 'array', value });
const option = (value: PortType): PortType => ({ type: 'option', value });

describe('port type compatibility (from an outport to an inport)', () => {
  // [from, to, compatible]
  const table: [PortType, PortType, boolean][] = [
    [t('any'), t('string'), true],
    [t('integer'), t('any'), true],
    [t('string'), t('string'), true],
    [t('integer'), t('float'), true],
    [t('integer'), t('number'), true],
    [t('float'), t('number'), true],
    [t('number'), t('float'), true],
    [t('float'), t('integer'), false],
    [t('number'), t('integer'), false],
    [t('string'), t('integer'), false],
    [t('boolean'), t('string'), false],
    [t('stream'), t('binary'), true],
    [t('binary'), t('stream'), true],
    [t('encoded'), t('binary'), true],
    [t('stream'), t('string'), false],
    [t('string'), t('flow'), true],
    [t('flow'), t('string'), false],
    [arrayOf(t('integer')), arrayOf(t('float')), true],
    [arrayOf(t('string')), arrayOf(t('integer')), false],
    [t('array'), arrayOf(t('integer')), true],
    [arrayOf(t('string')), t('string'), false],
    [option(t('integer')), t('integer'), true],
    [t('integer'), option(t('float')), true],
    [option(t('string')), option(t('integer')), false],
    [{ type: 'object', value: 'User' }, { type: 'object', value: 'User' }, true],
    [{ type: 'object', value: 'User' }, { type: 'object', value: 'Order' }, false],
    [{ type: 'object' }, { type: 'object', value: 'Order' }, true],
    [t('object'), t('array'), false],
    [{ type: 'option' } as PortType, t('string'), true],
  ];
  for (const [from, to, expected] of table) {
    it(`${formatPortType(from)} -> ${formatPortType(to)} is ${expected ? 'compatible' : 'incompatible'}`, () => {
      assert.equal(isCompatible(from, to), expected);
    });
  }
});

describe('inferType (the type of an IIP value)', () => {
  const cases: [string, unknown, PortType][] = [
    ['a boolean', true, t('boolean')],
    ['a whole number as integer', 21, t('integer')],
    ['a fraction as float', 2.5, t('float')],
    ['a string', 'x', t('string')],
    ['a bigint', 10n, t('bigint')],
    ['an array by its first element', [1, 'a'], arrayOf(t('integer'))],
    ['an empty array as array<any>', [], arrayOf(t('any'))],
    ['an object', { a: 1 }, t('object')],
    ['null as option<any>', null, option(t('any'))],
    ['bytes as binary', new Uint8Array(2), t('binary')],
    ['the Flow signal as flow', FLOW, t('flow')],
    ['a Date as date', new Date(0), t('date')],
    ['an Error as error', new Error('x'), t('error')],
  ];
  for (const [what, value, expected] of cases) {
    it(`types ${what}`, () => assert.deepEqual(inferType(value), expected));
  }
});

describe('port type helpers', () => {
  it('formats nested types readably', () => {
    assert.equal(formatPortType(arrayOf(option(t('integer')))), 'array<option<integer>>');
    assert.equal(formatPortType({ type: 'object', value: 'User' }), 'object<User>');
  });

  it('recognises well-formed Reflow PortType values and rejects others', () => {
    assert.equal(isPortType({ type: 'integer' }), true);
    assert.equal(isPortType({ type: 'array', value: { type: 'string' } }), true);
    assert.equal(isPortType({ type: 'option', value: { type: 'any' } }), true);
    assert.equal(isPortType({ type: 'option' }), false);
    assert.equal(isPortType({ type: 'int' }), false);
    assert.equal(isPortType('integer'), false);
  });
});
