import { checkFunctionDeclarations } from './gemini-schema-check';

describe('checkFunctionDeclarations', () => {
  it.each(['$ref', '$defs', 'additionalProperties', '$schema'])('Given a declaration using %s, it answers what Gemini answers', (key) => {
    const tools = [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { type: 'object', properties: { a: { type: 'object', [key]: key === 'additionalProperties' ? false : '#/x' } } } }] }];
    expect(checkFunctionDeclarations(tools)).toBe(`Invalid JSON payload received. Unknown name "${key}" at 'tools[0].function_declarations[0].parameters_json_schema.properties["a"].value': Cannot find field.`);
  });

  it('Given a parameter merely named like a keyword, or no tools, it accepts', () => {
    expect(checkFunctionDeclarations([{ functionDeclarations: [{ name: 'f', parameters: { type: 'object', properties: { additionalProperties: { type: 'string' } } } }] }])).toBeUndefined();
    expect(checkFunctionDeclarations(undefined)).toBeUndefined();
  });
});
