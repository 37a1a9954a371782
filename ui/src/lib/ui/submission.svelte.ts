// A form's submission: busy while it runs, and the error it ended with
// (shown by the form; the user's input stays as it was).
import { PortalError } from '../errors/PortalError';

export class Submission {
  busy = $state(false);
  error = $state.raw<PortalError | null>(null);

  /** Runs `send`, the last error forgotten; true when it succeeded. */
  async run(send: () => Promise<unknown>): Promise<boolean> {
    this.error = null;
    this.busy = true;
    try {
      await send();
      return true;
    } catch (rejection) {
      this.error = PortalError.from(rejection);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
