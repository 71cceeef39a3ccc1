// Times several runners side by side: every round runs each once, so drift and other load hit all alike.

export interface Runner {
  label: string;
  run(): Promise<unknown>;
}

export interface Timing {
  label: string;
  /** Wall seconds per run, ascending. */
  seconds: number[];
  /** Process CPU seconds of the fastest run. */
  cpuOfBest: number;
}

export async function interleaved(runners: Runner[], rounds: number, warmups = 1): Promise<Timing[]> {
  for (let i = 0; i < warmups; i++) for (const r of runners) await r.run();
  const timings = runners.map((r) => ({ label: r.label, runs: [] as { wall: number; cpu: number }[] }));
  for (let round = 0; round < rounds; round++) {
    for (const [i, r] of runners.entries()) {
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      await r.run();
      const wall = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpuStart);
      timings[i]!.runs.push({ wall, cpu: (cpu.user + cpu.system) / 1e6 });
    }
  }
  return timings.map(({ label, runs }) => {
    const sorted = [...runs].sort((a, b) => a.wall - b.wall);
    return { label, seconds: sorted.map((r) => r.wall), cpuOfBest: sorted[0]!.cpu };
  });
}

export const best = (t: Timing) => t.seconds[0]!;
export const median = (t: Timing) => t.seconds[t.seconds.length >> 1]!;
