import { HeartbeatReceived, HeartbeatRpc, HeartbeatsRpc, SloActivityRpc, SloReportRpc } from '@cp/shared/contracts';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { applyHeartbeat, buildReport, jobView } from '@cp/slo-collector/domain';
import type { SloCollector } from './slo-collector.service';

/**
 * The collector's RPCs (queue group `slo-collector`): the SLO report, the dashboard's activity, the
 * jobs, and a job's heartbeat. A heartbeat is published as an event and reaches the projection
 * through the stream like every other event (one path, restored on restart); the reply shows the job
 * as it will be once applied.
 */
export function serveSloRpcs(rt: ServiceRuntime, collector: SloCollector, clock: () => number = Date.now): void {
  const { bus } = rt;
  bus.serve(SloReportRpc, (req) => buildReport(collector.projection, clock(), req.hours ?? 24, req.route), 'slo-collector');
  bus.serve(SloActivityRpc, () => collector.projection.activity.view(clock(), collector.projection.recovery.breakers()), 'slo-collector');
  bus.serve(HeartbeatsRpc, () => {
    const now = clock();
    const p = collector.projection;
    return { jobs: p.jobSpecs.flatMap((j) => { const s = p.jobState(j.name); return s ? [jobView(j, s, now)] : []; }) };
  }, 'slo-collector');
  bus.serve(HeartbeatRpc, (req) => {
    const p = collector.projection;
    const job = p.jobSpecs.find((j) => j.name === req.job);
    const state = job && p.jobState(job.name);
    if (!job || !state) return { ok: false as const, error: { status: 404, code: 'job_not_found', type: 'invalid_request_error', message: `no job named "${req.job}" in the job registry` } };
    const now = clock();
    const payload = { job: job.name, status: req.status, ...(req.message ? { message: req.message } : {}), at: now };
    bus.publish(HeartbeatReceived, payload, { streamId: `job:${job.name}`, correlationId: `job:${job.name}` });
    return { ok: true as const, job: jobView(job, applyHeartbeat(job, state, payload).state, now) };
  }, 'slo-collector');
}
