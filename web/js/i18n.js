// The app's own words in Thai (first) and English; coded values' labels come from /meta.

const LANGUAGES = ["th", "en"];
let chosen = localStorage.getItem("language") || "th";
let words = {};

export function language() {
  return chosen;
}

export async function loadWords() {
  const response = await fetch(`/app/i18n/${chosen}.json`);
  words = await response.json();
  document.documentElement.lang = chosen;
}

export async function switchLanguage() {
  chosen = LANGUAGES[(LANGUAGES.indexOf(chosen) + 1) % LANGUAGES.length];
  localStorage.setItem("language", chosen);
  await loadWords();
}

// The text for `key`, with {name} placeholders filled from `values`.
export function t(key, values = {}) {
  const text = words[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}
