/** Watches the event loop with a 5 ms ticker; `stop()` ends it and returns the longest gap seen (ms). */
export function watchEventLoopGaps(): { stop(): number } {
  let last = performance.now();
  let worst = 0;
  const ticker = setInterval(() => {
    worst = Math.max(worst, performance.now() - last);
    last = performance.now();
  }, 5);
  return {
    stop() {
      clearInterval(ticker);
      return worst;
    },
  };
}
