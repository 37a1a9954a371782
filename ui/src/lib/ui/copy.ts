// Copying to the clipboard from a dialog: text that is not secret through the
// clipboard plugin, a held secret (a JWT, a URL carrying it) through Rust,
// which clears the clipboard later. A failure is a toast; true once copied.
import { copyHeld, writeClipboard } from '../backend';
import { showError } from '../errors/showError';

const FAILED = 'Could not copy to the clipboard';

/** Not secret (a decoded header, a public key): the clipboard plugin copies it. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await writeClipboard(text);
    return true;
  } catch (rejection) {
    showError(rejection, FAILED);
    return false;
  }
}

/** A part of a secret Rust holds (`copyId`): Rust copies it and clears the clipboard later. */
export async function copySecret(copyId: string, part: string): Promise<boolean> {
  try {
    await copyHeld(copyId, part);
    return true;
  } catch (rejection) {
    showError(rejection, FAILED);
    return false;
  }
}

/** A decoded JWT part, indented. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value ?? null, null, 2);
}
