// The order of names in lists: case-insensitive, lower case first on a tie,
// as `localeCompare` orders letters, digits and spaces, without it for ASCII
// text. `localeCompare` makes WebKitGTK load ICU's collation data into the
// window's memory (the token list sorts at start-up, where tokens created in
// the same second tie on their names); names with other characters still
// get it. Punctuation sorts by its code (ICU orders it otherwise).

const ASCII = /^[\x20-\x7e]*$/;

export function compareText(a: string, b: string): number {
  if (!ASCII.test(a) || !ASCII.test(b)) return a.localeCompare(b);
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a === b ? 0 : a > b ? -1 : 1;
}
