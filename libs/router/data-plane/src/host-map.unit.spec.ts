import { hostMapLookup, parseHostMap } from './host-map';

describe('parseHostMap', () => {
  it('given pinned and blocked hosts, then both are in the map (case-insensitive host)', () => {
    expect(parseHostMap('API.example.com=10.0.0.7, ghost.invalid=none,v6.example=::1')).toEqual(new Map([['api.example.com', '10.0.0.7'], ['ghost.invalid', null], ['v6.example', '::1']]));
  });

  it.each(['nohost', 'a=b=c', 'host=not-an-ip', 'bad host=1.2.3.4'])('given %j, then it names the bad entry', (value) => {
    expect(typeof parseHostMap(value)).toBe('string');
  });

  it('given nothing, then the map is empty', () => {
    expect(parseHostMap(undefined)).toEqual(new Map());
  });
});

describe('hostMapLookup', () => {
  const lookup = hostMapLookup(new Map([['pinned.test', '127.0.0.9'], ['ghost.test', null]]));
  const ask = (host: string, all = false) => new Promise<{ err: any; addr: any; family?: number }>((resolve) => lookup(host, { all } as never, ((err: any, addr: any, family?: number) => resolve({ err, addr, family })) as never));

  it('given a blocked host, then ENOTFOUND without asking a resolver', async () => {
    expect((await ask('GHOST.test')).err).toMatchObject({ code: 'ENOTFOUND' });
  });

  it('given a pinned host, then its address, alone or as a list', async () => {
    expect(await ask('pinned.test')).toEqual({ err: null, addr: '127.0.0.9', family: 4 });
    expect((await ask('pinned.test', true)).addr).toEqual([{ address: '127.0.0.9', family: 4 }]);
  });
});
