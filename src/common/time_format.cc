#include "common/time_format.h"

#include <charconv>

namespace stoa {
namespace {

void Append2(std::string& out, unsigned v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

bool ParseInt(std::string_view s, size_t pos, size_t len, int& out) {
  if (pos + len > s.size()) return false;
  for (size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return true;
}

}  // namespace

void AppendIso8601(std::string& out, Timestamp t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const auto ms_in_day = (t - day).count();
  const int y = static_cast<int>(ymd.year());
  const unsigned h = static_cast<unsigned>(ms_in_day / 3600000);
  const unsigned mi = static_cast<unsigned>(ms_in_day / 60000 % 60);
  const unsigned s = static_cast<unsigned>(ms_in_day / 1000 % 60);
  const unsigned ms = static_cast<unsigned>(ms_in_day % 1000);
  char year[8];
  auto [end, ec] = std::to_chars(year, year + sizeof year, y);
  (void)ec;
  for (auto len = end - year; len < 4; ++len) out.push_back('0');
  out.append(year, end);
  out.push_back('-');
  Append2(out, static_cast<unsigned>(ymd.month()));
  out.push_back('-');
  Append2(out, static_cast<unsigned>(ymd.day()));
  out.push_back('T');
  Append2(out, h);
  out.push_back(':');
  Append2(out, mi);
  out.push_back(':');
  Append2(out, s);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + ms / 100));
  Append2(out, ms % 100);
  out.push_back('Z');
}

std::string FormatIso8601(Timestamp t) {
  std::string out;
  out.reserve(24);
  AppendIso8601(out, t);
  return out;
}

std::string FormatDate(Timestamp t) { return FormatIso8601(t).substr(0, 10); }

Timestamp StartOfDay(Timestamp t) {
  return std::chrono::time_point_cast<Duration>(std::chrono::floor<std::chrono::days>(t));
}

std::optional<Timestamp> ParseIso8601(std::string_view s) {
  using namespace std::chrono;
  int y = 0, mo = 0, d = 0;
  if (!ParseInt(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !ParseInt(s, 5, 2, mo) ||
      s[7] != '-' || !ParseInt(s, 8, 2, d)) {
    return std::nullopt;
  }
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  Timestamp result = time_point_cast<Duration>(sys_days(ymd));
  if (s.size() == 10) return result;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  int h, mi, sec = 0;
  if (!ParseInt(s, 11, 2, h) || s.size() < 16 || s[13] != ':' || !ParseInt(s, 14, 2, mi)) {
    return std::nullopt;
  }
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!ParseInt(s, pos + 1, 2, sec)) return std::nullopt;
    pos += 3;
  }
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  int64_t ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) ms = ms * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) ms *= 10;
  }
  int64_t offset_minutes = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int oh, om;
      const bool colon = pos + 3 < s.size() && s[pos + 3] == ':';
      if (!ParseInt(s, pos + 1, 2, oh) || !ParseInt(s, pos + (colon ? 4 : 3), 2, om)) {
        return std::nullopt;
      }
      offset_minutes = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
      pos += colon ? 6 : 5;
    }
  }
  if (pos != s.size()) return std::nullopt;
  result += hours(h) + minutes(mi) + seconds(sec) + milliseconds(ms) - minutes(offset_minutes);
  return result;
}

}  // namespace stoa
