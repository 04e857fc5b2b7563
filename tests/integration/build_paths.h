// Where the build put what the integration tests run. Defined in build_paths.cc, the only test
// file compiled with these paths on its command line: the build directory then appears in no
// other test object, so ccache shares those between checkouts (a CI clone, build/ and
// build-asan/).
#pragma once

namespace stoa::testing {

extern const char* const kStoaBinary;    // the built `stoa` executable
extern const char* const kSourceDir;     // the checkout (shipped examples and rules)
extern const char* const kDefaultModel;  // the build's default screening model

}  // namespace stoa::testing
