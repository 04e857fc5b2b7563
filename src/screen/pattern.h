// Preparing a rule pattern for the normalized text it will run over (see normalize.h): the
// normalized text is lowercase and has no runs of one letter and no runs of spaces, so a pattern
// written "Kill" or "wissen" could never match it. PreparePattern rewrites the literal parts of a
// Hyperscan regex accordingly and refuses characters that normalisation never leaves in a text.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace stoa::screen {

// Returns the pattern with
//  - ASCII letters outside escapes and group syntax lowercased ("Tod" -> "tod", "[A-Z]" ->
//    "[a-z]"; "\W", "\p{Lu}", "(?i)" are left alone);
//  - a literal letter (or space) that repeats the literal letter (or space) just before it
//    dropped ("kill" -> "kil", "wissen" -> "wisen"), unless it carries a quantifier that allows
//    zero repetitions ("all?" stays, it still matches "al"); "+" collapses ("ll+" -> "l+").
//    Letters separated by group syntax are not seen ("(al)l" can never match; write "al").
// Fails with kInvalidArgument and the reason when the pattern contains a character that
// normalisation never leaves in a text ("ä": write "ae"; "ß": write "ss"; a tab or a control
// character), naming the replacement when there is one, and non-ASCII characters inside a
// character class (patterns run byte-wise, so [€£] would be a class of bytes). It does not check
// regex syntax; Hyperscan does that.
Result<std::string> PreparePattern(std::string_view pattern);

}  // namespace stoa::screen
