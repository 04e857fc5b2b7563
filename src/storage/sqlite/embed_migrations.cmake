# Generates a C++ source holding every migrations/sqlite/NNNN_name.sql as a raw string literal.
# Invoked at build time with -DOUT=<file> -DDIR=<migrations dir>.
file(GLOB files "${DIR}/*.sql")
list(SORT files)
set(body "")
foreach(f ${files})
  get_filename_component(name "${f}" NAME_WE)
  string(REGEX MATCH "^([0-9]+)_(.*)$" _ "${name}")
  set(version "${CMAKE_MATCH_1}")
  set(label "${CMAKE_MATCH_2}")
  math(EXPR version "${version} + 0")
  file(READ "${f}" sql)
  string(APPEND body "    {${version}, \"${label}\", R\"stoa_sql(${sql})stoa_sql\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from src/storage/migrations/sqlite by embed_migrations.cmake; do not edit.
#include \"storage/sqlite/sqlite_storage.h\"

namespace stoa::storage::sqlite {

const std::vector<Migration>& SqliteMigrations() {
  static const std::vector<Migration> kMigrations = {
${body}  };
  return kMigrations;
}

}  // namespace stoa::storage::sqlite
")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
