import { SettledWatermark } from './settled-watermark';

describe('SettledWatermark', () => {
  it('given sequences settled in order, then the watermark follows them', () => {
    const w = new SettledWatermark(0);
    expect(w.settle([1, 2, 3])).toBe(3);
  });

  it('given a hole, then the watermark waits for it and jumps once it settles', () => {
    const w = new SettledWatermark(0);
    expect(w.settle([1, 3, 4])).toBe(1);
    expect(w.isSettled(3)).toBe(true);
    expect(w.isSettled(2)).toBe(false);
    expect(w.settle([2])).toBe(4);
  });

  it('given a peek, then nothing is settled by it', () => {
    const w = new SettledWatermark(5);
    w.settle([7]);
    expect(w.peek([6])).toBe(7);
    expect(w.through).toBe(5);
  });

  it('given a skip past held sequences, then they are dropped and later ones still join', () => {
    const w = new SettledWatermark(0);
    w.settle([2, 5]);
    w.skipTo(3);
    expect(w.through).toBe(3);
    expect(w.settle([4])).toBe(5);
  });

  it('given a redelivered old sequence, then nothing moves', () => {
    const w = new SettledWatermark(10);
    expect(w.settle([4])).toBe(10);
  });
});
