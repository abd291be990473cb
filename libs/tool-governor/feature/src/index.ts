export * from './policy-source';
export * from './policy-watcher';
export * from './policy-follower';
export * from './local-tool-executor';
export * from './tool-stats-service';
export * from './tool-governor.module';
