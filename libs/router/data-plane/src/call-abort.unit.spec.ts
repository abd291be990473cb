import { CallAbort } from './call-abort';

describe('CallAbort', () => {
  describe('abort', () => {
    it('Given a listener on abort, When aborted twice, Then it runs once and the handle says aborted', () => {
      const call = new CallAbort();
      const listener = jest.fn();
      call.once('abort', listener);
      call.abort();
      call.abort();
      expect(listener).toHaveBeenCalledTimes(1);
      expect(call.aborted).toBe(true);
    });

    it('Given an abort, When its reason is read, Then it is the AbortError an AbortController gives', () => {
      const call = new CallAbort();
      const controller = new AbortController();
      call.abort();
      controller.abort();
      expect(call.reason).toBeInstanceOf(DOMException);
      expect({ name: (call.reason as DOMException).name, message: (call.reason as DOMException).message }).toEqual({ name: (controller.signal.reason as DOMException).name, message: (controller.signal.reason as DOMException).message });
    });

    it('Given a listener removed before the abort, When aborted, Then it does not run', () => {
      const call = new CallAbort();
      const listener = jest.fn();
      call.once('abort', listener);
      call.removeListener('abort', listener);
      call.abort();
      expect(listener).not.toHaveBeenCalled();
    });
  });

  describe('as a CancelSignal', () => {
    it('Given listeners added the AbortSignal way, once and not, When aborted, Then each runs once; one removed before does not', () => {
      const call = new CallAbort();
      const once = jest.fn();
      const always = jest.fn();
      const removed = jest.fn();
      call.addEventListener('abort', once, { once: true });
      call.addEventListener('abort', always);
      call.addEventListener('abort', removed, { once: true });
      call.removeEventListener('abort', removed);
      call.abort();
      expect([once.mock.calls.length, always.mock.calls.length, removed.mock.calls.length, call.listenerCount('abort')]).toEqual([1, 1, 0, 1]);
    });
  });
});
