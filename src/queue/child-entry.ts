/**
 * Entry of the child process a worker forks for each job (see child-runner.ts): runs the one
 * task it is sent, reports progress and the outcome over IPC, and exits.
 */
import { isAutocmError } from '../util/errors.js';
import type { ChildMessage, RunTaskMessage } from './child-protocol.js';
import { runTask } from './tasks.js';

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
}

// The worker is gone (killed): stop at once, its job will be retried elsewhere.
process.on('disconnect', () => process.exit(70));

process.once('message', (message: RunTaskMessage) => {
  if (message?.type !== 'run') process.exit(64);
  let lastSent = -1;
  runTask(message.task, (fraction) => {
    // At most 100 progress messages per task.
    const percent = Math.floor(fraction * 100);
    if (percent !== lastSent) {
      lastSent = percent;
      void send({ type: 'progress', fraction });
    }
  })
    .then(async (result) => {
      await send({ type: 'result', pixels: result.pixels });
      process.exit(0);
    })
    .catch(async (error: unknown) => {
      const text = error instanceof Error ? error.message : String(error);
      await send({ type: 'error', message: text, permanent: isAutocmError(error) });
      process.exit(1);
    });
});
