export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];
const STORAGE_KEY = 'partner-portal.theme';

function stored(): ThemeChoice {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return THEME_CHOICES.includes(value as ThemeChoice) ? (value as ThemeChoice) : 'system';
  } catch {
    return 'system';
  }
}

function apply(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') root.removeAttribute('data-theme');
  else root.dataset.theme = choice;
}

/** Light, dark, or follow the OS (CSS `prefers-color-scheme`); kept in localStorage. */
class Theme {
  choice = $state<ThemeChoice>('system');

  /** Reads the saved choice and applies it. */
  restore(): void {
    this.choice = stored();
    apply(this.choice);
  }

  set(choice: ThemeChoice): void {
    this.choice = choice;
    try {
      localStorage.setItem(STORAGE_KEY, choice);
    } catch {
      // Storage unavailable: the choice lasts for this session.
    }
    apply(choice);
  }
}

export const theme = new Theme();
