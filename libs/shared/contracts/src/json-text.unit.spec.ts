import { deepFreeze, knownArrayText, rememberJsonText, stringifyRequestBody } from './json-text';

describe('json-text', () => {
  const a = deepFreeze({ type: 'function', function: { name: 'a', parameters: { type: 'object', enum: [1, 'two', null] } } });
  const b = deepFreeze({ type: 'function', function: { name: 'b', description: 'quote " and \\ backslash, é' } });
  rememberJsonText(a);
  rememberJsonText(b);

  it('Given a nested value, When deep-frozen, Then every object and array in it is frozen', () => {
    const v = deepFreeze({ x: [{ y: { z: [1] } }] });
    expect(Object.isFrozen(v.x[0].y.z)).toBe(true);
  });

  it('Given an object that is not frozen, Then its text may not be remembered', () => {
    expect(() => rememberJsonText({ x: 1 })).toThrow(/frozen/);
  });

  it('Given remembered elements, Then the array text and length are exactly those of JSON.stringify; one unknown element gives undefined', () => {
    expect(knownArrayText([a, b])).toBe(JSON.stringify([a, b]));
    expect(knownArrayText([a, b])!.length).toBe(JSON.stringify([a, b]).length);
    expect(knownArrayText([])).toBe('[]');
    expect(knownArrayText([a, { other: 1 }])).toBeUndefined();
    expect(knownArrayText([a, 'x'])).toBeUndefined();
  });

  it('Given a body with remembered tools, When serialised, Then it parses to the same value; otherwise it is JSON.stringify', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: [a, b], temperature: 0 };
    expect(JSON.parse(stringifyRequestBody(body))).toEqual(body);
    expect(JSON.parse(stringifyRequestBody({ tools: [a] }))).toEqual({ tools: [a] });
    const unknown = { model: 'm', tools: [a, { type: 'function', function: { name: 'c' } }] };
    expect(stringifyRequestBody(unknown)).toBe(JSON.stringify(unknown));
    expect(stringifyRequestBody({ model: 'm', tools: [] })).toBe('{"model":"m","tools":[]}');
  });
});
