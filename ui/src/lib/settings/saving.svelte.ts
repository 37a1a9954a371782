// A settings form's save: busy while it runs, the error it ended with, and
// the "Saved." note after it succeeded.
import { PortalError } from '../errors/PortalError';

export class Saving {
  busy = $state(false);
  error = $state.raw<PortalError | null>(null);
  saved = $state(false);

  /** Forgets the last outcome (a new edit, or a form that cannot be sent). */
  reset(): void {
    this.error = null;
    this.saved = false;
  }

  /** Runs `save`; true when it succeeded. */
  async run(save: () => Promise<unknown>): Promise<boolean> {
    this.reset();
    this.busy = true;
    try {
      await save();
      this.saved = true;
      return true;
    } catch (rejection) {
      this.error = PortalError.from(rejection);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
