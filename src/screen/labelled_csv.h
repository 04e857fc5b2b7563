// Labelled text from a CSV file: the input of `stoa train` and `stoa eval` (any labelled set:
// stoa's own exported decisions, GermEval, a hand-written list).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "screen/classifier_trainer.h"

namespace stoa::screen {

struct LabelledCsvOptions {
  std::string text_column;   // header name, or 0-based index when no header cell has that name
  std::string label_column;
  char delimiter = ',';
};

struct LabelledCsv {
  std::vector<LabelledText> examples;  // labels trimmed of surrounding whitespace
  int64_t skipped = 0;                 // rows with an empty text or label
};

// Reads `path` (first row: the header). NotFound when the file cannot be opened; InvalidArgument,
// with the file name and line, for malformed CSV (csv.h), unknown columns, a row too short to have
// the text or label column, or a label that is not UTF-8.
Result<LabelledCsv> ReadLabelledCsv(const std::string& path, const LabelledCsvOptions& options);

// The non-empty texts of one column of `path` (first row: the header): unlabelled text for
// `stoa train --pretrain-text`. Errors as ReadLabelledCsv's.
Result<std::vector<std::string>> ReadCsvTexts(const std::string& path, const std::string& column,
                                              char delimiter);

}  // namespace stoa::screen
