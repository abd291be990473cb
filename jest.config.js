// Three tiers by file name: *.unit.spec.ts (pure, no I/O), *.int.spec.ts (real Postgres + NATS),
// test-e2e/**/*.e2e.spec.ts (the whole stack as processes, driven over HTTP with real clients).
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
}];
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  // NestJS 12 ships ES modules only; Jest's CommonJS runtime needs them transformed.
  transform: { '^.+\\.ts$': swc, '^.+/node_modules/@nestjs/.+\\.js$': swc },
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/)'],
  moduleNameMapper: { '^@cp/(.*)$': '<rootDir>/libs/$1/src/index.ts' },
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,test-e2e}/**/*.unit.spec.ts'] },
    { ...common, displayName: 'int', testMatch: ['<rootDir>/{apps,libs}/**/*.int.spec.ts'], setupFilesAfterEnv: ['<rootDir>/infra/jest/int-timeouts.js'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test-e2e/**/*.e2e.spec.ts'], setupFilesAfterEnv: ['<rootDir>/infra/jest/e2e-timeouts.js'] },
  ],
};
