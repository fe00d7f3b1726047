// Near-miss suggestions for unknown names ("did you mean …?").

/** Levenshtein edit distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[t.length];
}

/**
 * The candidates closest to `name`: same name ignoring case or library prefix first, then by edit
 * distance (at most a third of the name's length). At most `limit` results.
 */
export function suggest(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const base = (n: string) => n.slice(n.lastIndexOf('/') + 1).toLowerCase();
  const maxDistance = Math.max(2, Math.floor(name.length / 3));
  const scored: { c: string; score: number }[] = [];
  for (const c of candidates) {
    let score: number;
    if (c.toLowerCase() === name.toLowerCase()) score = 0;
    else if (base(c) === base(name)) score = 0.5;
    else {
      score = Math.min(editDistance(name, c), editDistance(base(name), base(c)) + 0.25);
      if (score > maxDistance) continue;
    }
    scored.push({ c, score });
  }
  return scored.sort((x, y) => x.score - y.score || x.c.localeCompare(y.c)).slice(0, limit).map((s) => s.c);
}

/** " Did you mean 'a' or 'b'?" or "" when there is nothing close. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const s = suggest(name, candidates);
  if (s.length === 0) return '';
  return `did you mean ${s.map((x) => `'${x}'`).join(' or ')}?`;
}
