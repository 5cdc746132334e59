// "Did you mean `len`?": the known name closest to a misspelt one.
//
// Close means an edit distance of at most 2 (1 for names of up to 3 letters), where swapping
// two neighbouring letters is one edit (`lenght` -> `length`), or one name being the start of
// the other when the shorter has at least 3 letters (`lenght` -> `len`). The smallest
// distance wins; among equals, the first candidate. Names that are far off get no
// suggestion: a wrong guess is worse than none.
#pragma once

#include <string>
#include <vector>

namespace wf {

// The closest candidate, or "" when none is close.
std::string closest_name(const std::string& typo, const std::vector<std::string>& candidates);

// " did you mean `x`?" for a message ending in a sentence, or "".
std::string did_you_mean(const std::string& typo, const std::vector<std::string>& candidates);

}  // namespace wf
