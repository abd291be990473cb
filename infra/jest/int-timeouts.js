// Jest honours `testTimeout` only in the root config, not per project: set it here so hooks that
// talk to real Postgres and NATS get more than the default 5 s on a busy machine.
jest.setTimeout(60_000);
