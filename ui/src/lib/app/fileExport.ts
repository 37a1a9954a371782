// Saving a file through a command that asks where itself (Rust opens the
// native save dialog): what was written is told in a toast, a cancel says
// nothing, a failure is shown under the title `failed`.
import { showError } from '../errors/showError';
import { toasts } from '../errors/toasts.svelte';

/** How many entries were written; null when the user cancelled or it failed. */
export async function exportFile(
  save: () => Promise<number | null>,
  told: (written: number) => [title: string, message: string],
  failed: string,
): Promise<number | null> {
  try {
    const written = await save();
    if (written !== null) toasts.info(...told(written));
    return written;
  } catch (rejection) {
    showError(rejection, failed);
    return null;
  }
}
