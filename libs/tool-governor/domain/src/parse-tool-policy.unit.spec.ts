import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidToolPolicyError, parseToolPolicy } from './parse-tool-policy';
import { DEFAULT_TOOL_POLICY } from './policy.schema';

function issuesOf(yaml: string): string[] {
  try {
    parseToolPolicy(yaml);
  } catch (err) {
    if (err instanceof InvalidToolPolicyError) return err.issues.map((i) => i.path);
    throw err;
  }
  throw new Error('expected the policy to be refused');
}

describe('parseToolPolicy', () => {
  it('Given only a version, it fills the defaults: every tool allowed, every repair on, no local tools', () => {
    expect(parseToolPolicy('version: 1\n').policy).toEqual(DEFAULT_TOOL_POLICY);
    expect(DEFAULT_TOOL_POLICY.tools.allow).toEqual(['*']);
    expect(DEFAULT_TOOL_POLICY.repair.classes).toHaveLength(7);
  });

  it('accepts the shipped config/tools.yaml', () => {
    const text = readFileSync(join(__dirname, '../../../../config/tools.yaml'), 'utf8');
    expect(parseToolPolicy(text).policy.tools.allow).toEqual(['*']);
  });

  it('Given unknown keys, it refuses them naming the path', () => {
    expect(issuesOf('version: 1\ntools:\n  alow: [a]\n')).toEqual(['tools']);
    expect(issuesOf('version: 1\nextra: true\n')).toEqual(['(root)']);
  });

  it('Given bad values, it names each path', () => {
    expect(issuesOf('version: 1\nrepair:\n  classes: [invalid_json, guessing]\n  selfCorrectionRounds: 3\n')).toEqual(['repair.classes[1]', 'repair.selfCorrectionRounds']);
    expect(issuesOf('version: 1\nlocalTools:\n  offer: [shell]\n')).toEqual(['localTools.offer[0]']);
    expect(issuesOf('version: 1\ntools:\n  allow: ["a*b"]\n')).toEqual(['tools.allow[0]']);
  });

  it('Given broken YAML or an empty file, it says so', () => {
    expect(issuesOf('version: [1\n')[0]).toMatch(/^\(yaml line/);
    expect(issuesOf('  \n')).toEqual(['(root)']);
  });

  it('gives the same text the same version', () => {
    expect(parseToolPolicy('version: 1\n').version).toBe(parseToolPolicy('version: 1\n').version);
    expect(parseToolPolicy('version: 1\n').version).not.toBe(parseToolPolicy('version: 1\n# changed\n').version);
  });
});
