// Jest honours `testTimeout` only in the root config, not per project: set it here so hooks that
// start the whole stack as processes get more than the default 5 s on a busy machine.
jest.setTimeout(120_000);
