// A form sent with values the UI can already tell are wrong: nothing is
// sent, and the focus goes to the first field marked aria-invalid.

/**
 * True when `problems` names any field; the first invalid field of the
 * submitted form then has the focus. Call it before any await (it reads the
 * event's form).
 */
export function stopOnProblems(event: SubmitEvent, problems: object): boolean {
  if (Object.keys(problems).length === 0) return false;
  (event.currentTarget as HTMLFormElement).querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  return true;
}
