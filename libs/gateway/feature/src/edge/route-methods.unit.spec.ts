import { RouteMethods } from './route-methods';

describe('RouteMethods', () => {
  const routes = new RouteMethods();
  routes.add('POST', '/v1/chat/completions');
  routes.add(['GET', 'HEAD'], '/v1/models/:id');
  routes.add('GET', '/v1/models/:provider/:model');
  routes.add('POST', '/v1/audit/parked/:seq/resubmit');

  describe('allowed', () => {
    it('given a path some route serves, when asked, then its methods come back sorted', () => {
      expect(routes.allowed('/v1/chat/completions')).toEqual(['POST']);
      expect(routes.allowed('/v1/models/gpt-4o')).toEqual(['GET', 'HEAD']);
      expect(routes.allowed('/v1/models/openai/gpt-4o')).toEqual(['GET']);
      expect(routes.allowed('/v1/audit/parked/7/resubmit')).toEqual(['POST']);
    });

    it('given a path no route serves (an empty parameter, more segments, another literal), when asked, then nothing', () => {
      expect(routes.allowed('/v1/models/')).toEqual([]);
      expect(routes.allowed('/v1/models/a/b/c')).toEqual([]);
      expect(routes.allowed('/v1/chat/complete')).toEqual([]);
    });
  });
});
