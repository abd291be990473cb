import { openAiModels } from './models.controller';

describe('openAiModels', () => {
  it('Given the router catalog, When listed, Then auto and the routes come first, then every model as provider/model owned by its provider', () => {
    const list = openAiModels({
      ok: true,
      loadedAt: 1_700_000_000,
      models: [
        { provider: 'qwen', model: 'qwen-turbo', wire: 'openai', simulated: true },
        { provider: 'local', model: 'qwen3:8b', wire: 'openai', simulated: false },
      ],
      routes: { fast: ['qwen/qwen-turbo', 'local/qwen3:8b'], full: ['qwen/qwen-turbo'] },
    });
    expect(list).toEqual([
      { id: 'auto', object: 'model', created: 1_700_000_000, owned_by: 'control-plane' },
      { id: 'fast', object: 'model', created: 1_700_000_000, owned_by: 'control-plane' },
      { id: 'full', object: 'model', created: 1_700_000_000, owned_by: 'control-plane' },
      { id: 'qwen/qwen-turbo', object: 'model', created: 1_700_000_000, owned_by: 'qwen' },
      { id: 'local/qwen3:8b', object: 'model', created: 1_700_000_000, owned_by: 'local' },
    ]);
  });
});
