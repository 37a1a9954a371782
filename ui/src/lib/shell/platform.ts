/** The desktop platform the window runs on, as far as the page needs to know. */
export type Platform = 'linux' | 'macos' | 'windows' | 'other';

/** Reads the platform from a user agent string (WebKitGTK, WKWebView, WebView2). */
export function platformOf(userAgent: string): Platform {
  if (/Windows/.test(userAgent)) return 'windows';
  if (/Mac OS X|Macintosh/.test(userAgent)) return 'macos';
  if (/Linux|X11/.test(userAgent) && !/Android/.test(userAgent)) return 'linux';
  return 'other';
}

/** Sets `data-platform` on <html>, which app.css reads for the font stacks. */
export function markPlatform(root: HTMLElement, userAgent: string): Platform {
  const platform = platformOf(userAgent);
  root.dataset.platform = platform;
  return platform;
}
