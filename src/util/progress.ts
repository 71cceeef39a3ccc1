import cliProgress from 'cli-progress';

export interface Progress {
  /** Advances the bar to `done` of `total`; `extra` is shown after the bar (e.g. current losses). */
  update(done: number, extra?: string): void;
  stop(): void;
}

/** A progress bar on stderr; silent when stderr is not a terminal unless `force` is set. */
export function progressBar(label: string, total: number, options: { quiet?: boolean } = {}): Progress {
  if (options.quiet) return { update() {}, stop() {} };
  if (!process.stderr.isTTY) {
    // Non-interactive: a line every 10 % so that logs still show progress.
    let lastDecile = -1;
    return {
      update(done, extra) {
        const decile = Math.floor((10 * done) / Math.max(total, 1));
        if (decile !== lastDecile) {
          lastDecile = decile;
          process.stderr.write(`${label}: ${done}/${total}${extra ? ` ${extra}` : ''}\n`);
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% {value}/{total} eta {eta_formatted} {extra}`,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { extra: '' });
  return {
    update(done, extra) {
      bar.update(done, { extra: extra ?? '' });
    },
    stop() {
      bar.stop();
    },
  };
}
