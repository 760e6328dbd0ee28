// Buddhist Era dates: shown and typed as BE (CE + 543), sent to the API as CE.

export const BE_OFFSET = 543;

// "DD/MM/YYYY" in BE (or a bare BE year) → "YYYY-MM-DD" in CE; null when it is not a date.
export function beToIso(text) {
  const match = /^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$/.exec(text || "");
  if (!match) return null;
  const [day, month, yearBe] = match.slice(1).map(Number);
  const year = yearBe - BE_OFFSET;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return null;
  }
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

export function isoToBe(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
  if (!match) return "";
  return `${Number(match[3])}/${Number(match[2])}/${Number(match[1]) + BE_OFFSET}`;
}

export function yearBeToCe(text) {
  const year = Number(text);
  return Number.isInteger(year) && year > 0 ? year - BE_OFFSET : null;
}

// A timestamp shown in Bangkok time with a BE year, in the chosen language.
export function showTime(iso, lang) {
  if (!iso) return "";
  const locale = lang === "en" ? "en-GB-u-ca-buddhist" : "th-TH-u-ca-buddhist";
  return new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "Asia/Bangkok",
  }).format(new Date(iso));
}
