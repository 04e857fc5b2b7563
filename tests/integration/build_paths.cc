#include "tests/integration/build_paths.h"

#if !defined(STOA_BINARY) || !defined(STOA_SOURCE_DIR) || !defined(STOA_DEFAULT_MODEL)
#error "STOA_BINARY, STOA_SOURCE_DIR and STOA_DEFAULT_MODEL must be defined (CMakeLists.txt)"
#endif

namespace stoa::testing {

const char* const kStoaBinary = STOA_BINARY;
const char* const kSourceDir = STOA_SOURCE_DIR;
const char* const kDefaultModel = STOA_DEFAULT_MODEL;

}  // namespace stoa::testing
