// The design notes for this module are atop suggest.hpp.
#include "sema/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace wf {

namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
// neighbours, each one edit.
size_t edit_distance(const std::string& a, const std::string& b) {
  size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i)
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

}  // namespace

std::string closest_name(const std::string& typo, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_score = SIZE_MAX;
  for (const std::string& c : candidates) {
    if (c.empty() || c == typo) continue;
    size_t limit = std::min(typo.size(), c.size()) <= 3 ? 1 : 2;
    size_t score = edit_distance(typo, c);
    // Nothing in common (`w` is not a typo of `x`), unless only the case differs (`k`, `K`).
    bool case_only = typo.size() == c.size() &&
                     std::equal(typo.begin(), typo.end(), c.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); });
    if (score >= std::max(typo.size(), c.size()) && !case_only) continue;
    if (score > limit) {
      const std::string& shorter = typo.size() < c.size() ? typo : c;
      const std::string& longer = typo.size() < c.size() ? c : typo;
      if (shorter.size() < 3 || longer.compare(0, shorter.size(), shorter) != 0) continue;
      score = limit + 1;  // a prefix: worse than any edit within the limit
    }
    if (score < best_score) best = c, best_score = score;
  }
  return best;
}

std::string did_you_mean(const std::string& typo, const std::vector<std::string>& candidates) {
  std::string best = closest_name(typo, candidates);
  return best.empty() ? "" : "; did you mean `" + best + "`?";
}

}  // namespace wf
