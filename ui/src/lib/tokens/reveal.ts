// The one-time reveal: what stands in for the token value until the user
// asks to see it. The mask has a fixed length so it says nothing about the
// value (not even its length).

export const MASK = '•'.repeat(32);
export const TOKEN_PLACEHOLDER = '{{TOKEN}}';

/** A usage snippet with the value, or the mask when `value` is null. */
export function renderSnippet(template: string, value: string | null): string {
  return template.replaceAll(TOKEN_PLACEHOLDER, value ?? MASK);
}
