import { batchOptions } from './tracing';

describe('batchOptions: the span batches of the OTLP export', () => {
  it('given no OTEL_BSP_* variable, then our defaults: every 200 ms, 512 spans per export, 8192 queued at most', () => {
    expect(batchOptions({})).toEqual({ scheduledDelayMillis: 200, maxExportBatchSize: 512, maxQueueSize: 8192 });
  });

  it('given the standard variables, then they win', () => {
    expect(batchOptions({ OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64', OTEL_BSP_MAX_QUEUE_SIZE: '2048' })).toEqual({ scheduledDelayMillis: 50, maxExportBatchSize: 64, maxQueueSize: 2048 });
  });

  it.each(['0', '-5', '1.5', 'many', ''])('given OTEL_BSP_MAX_EXPORT_BATCH_SIZE=%j, then it is ignored and the default stands', (value) => {
    expect(batchOptions({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: value }).maxExportBatchSize).toBe(512);
  });
});
