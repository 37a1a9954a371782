// A settings form's save: a submission (busy while it runs, the error it
// ended with) that also shows "Saved." after it succeeded.
import { Submission } from '../ui/submission.svelte';

export class Saving extends Submission {
  saved = $state(false);

  /** Forgets the last outcome (a new edit, or a form that cannot be sent). */
  reset(): void {
    this.error = null;
    this.saved = false;
  }

  /** Runs `save`; true when it succeeded. */
  override async run(save: () => Promise<unknown>): Promise<boolean> {
    this.saved = false;
    return super.run(async () => {
      await save();
      this.saved = true;
    });
  }
}
