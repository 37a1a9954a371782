// Shared by the E2E harness and the benchmark driver (no dependencies).
import net from 'node:net';

/** Resolves once something accepts connections on 127.0.0.1:`port`. */
export function waitForPort(port, timeoutMs, what = 'tauri-driver') {
  const until = Date.now() + timeoutMs;
  return new Promise((ok, fail) => {
    const attempt = () => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.end(); ok(); });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > until) fail(new Error(`${what} did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}
