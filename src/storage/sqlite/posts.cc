// SQLite: posts, mentions, tags, edits, favourites, bookmarks, idempotency keys.
#include <algorithm>
#include <charconv>
#include <queue>

#include "common/strings.h"
#include "storage/sqlite/repos.h"
#include "storage/sqlite/rows.h"

namespace stoa::storage::sqlite {
namespace {

#define POST_COLUMNS                                                                             \
  "id, account_id, text, content_html, spoiler_text, sensitive, visibility, language, "          \
  "in_reply_to_id, in_reply_to_account_id, reblog_of_id, thread_root_id, application_id, "       \
  "created_at, edited_at, deleted_at, replies_count, reblogs_count, favourites_count, "          \
  "mention_list, tag_list"
// Read only: the moderation columns (migration 0006) are written by the Decisions store.
#define POST_READ_COLUMNS                                                                       \
  POST_COLUMNS ", moderation_sensitive, moderation_spoiler_text, moderation_restricted_at, "    \
               "moderation_removed_at, held_at"

constexpr char kSelectPost[] = "SELECT " POST_READ_COLUMNS " FROM statuses WHERE id = ?1";
constexpr char kSelectPosts[] =
    "SELECT " POST_READ_COLUMNS " FROM statuses WHERE id IN (SELECT value FROM json_each(?1))";
constexpr char kInsertPost[] =
    "INSERT INTO statuses (" POST_COLUMNS ", held_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
    "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)";
constexpr char kUpdatePost[] =
    "UPDATE statuses SET text = ?2, content_html = ?3, spoiler_text = ?4, sensitive = ?5, "
    "language = ?6, edited_at = ?7, mention_list = ?8, tag_list = ?9, held_at = ?10 WHERE id = ?1";
// Screening (migration 0011).
constexpr char kSetHeld[] = "UPDATE statuses SET held_at = ?2 WHERE id = ?1";
constexpr char kInsertScreening[] =
    "INSERT INTO status_screenings (id, status_id, created_at, edit, verdict, reason, rule_names, "
    "signals, rules_version, model_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr char kSelectScreenings[] =
    "SELECT id, status_id, created_at, edit, verdict, reason, rule_names, signals, rules_version, "
    "model_version FROM status_screenings WHERE status_id = ?1 ORDER BY id";
// Fingerprints of removed statuses (migration 0012).
constexpr char kPutRemovedFingerprint[] =
    "INSERT OR REPLACE INTO removed_fingerprints (status_id, simhash, shingles, removed_at, "
    "category) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr char kDeleteRemovedFingerprint[] = "DELETE FROM removed_fingerprints WHERE status_id = ?1";
constexpr char kSelectRemovedFingerprint[] =
    "SELECT status_id, simhash, shingles, removed_at, category FROM removed_fingerprints "
    "WHERE status_id = ?1";
constexpr char kSelectRemovedFingerprints[] =
    "SELECT status_id, simhash, shingles, removed_at, category FROM removed_fingerprints "
    "ORDER BY status_id";
constexpr char kInsertEdit[] =
    "INSERT INTO status_edits (id, status_id, text, content_html, spoiler_text, sensitive, "
    "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr char kSelectEdits[] =
    "SELECT id, status_id, text, content_html, spoiler_text, sensitive, created_at "
    "FROM status_edits WHERE status_id = ?1 ORDER BY id";
constexpr char kMarkDeleted[] =
    "UPDATE statuses SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL";
constexpr char kDeleteReblogs[] =
    "UPDATE statuses SET deleted_at = ?2 WHERE reblog_of_id = ?1 AND deleted_at IS NULL "
    "RETURNING account_id";
// The search queue (migration 0003) and watermark (migration 0016). The indexer indexes the
// statuses above the watermark and moves it past them; a new status is queued only when it
// commits at or below it (its id was taken before the write). A changed post is queued with the
// text the index holds for it: NULL when none (empty text, deleted, or above the watermark); an
// existing queue row already records that and is kept.
constexpr char kQueueNewForSearch[] =
    "INSERT OR IGNORE INTO search_pending (status_id, indexed_text) "
    "SELECT ?1, NULL FROM search_watermark WHERE id = 1 AND indexed_up_to >= ?1";
constexpr char kQueueChangedForSearch[] =
    "INSERT OR IGNORE INTO search_pending (status_id, indexed_text) "
    "SELECT s.id, CASE WHEN s.text = '' OR s.deleted_at IS NOT NULL OR s.id > w.indexed_up_to "
    "THEN NULL ELSE s.text END FROM statuses s, search_watermark w WHERE s.id = ?1 AND w.id = 1";
constexpr char kSelectPendingSearch[] =
    "SELECT p.status_id, p.indexed_text, s.text, s.deleted_at FROM search_pending p "
    "LEFT JOIN statuses s ON s.id = p.status_id ORDER BY p.status_id LIMIT ?1";
constexpr char kSearchWatermark[] = "SELECT indexed_up_to FROM search_watermark WHERE id = 1";
constexpr char kSetSearchWatermark[] =
    "UPDATE search_watermark SET indexed_up_to = ?1 WHERE id = 1";
constexpr char kSelectNewForSearch[] =
    "SELECT id, text, deleted_at IS NOT NULL FROM statuses WHERE id > ?1 ORDER BY id LIMIT ?2";
constexpr char kHasPendingSearch[] =
    "SELECT EXISTS (SELECT 1 FROM search_pending /* full scan: stops at the first row */) "
    "OR EXISTS (SELECT 1 FROM statuses WHERE id > "
    "(SELECT indexed_up_to FROM search_watermark WHERE id = 1))";
constexpr char kDequeueSearch[] = "DELETE FROM search_pending WHERE status_id = ?1";
constexpr char kInsertFts[] = "INSERT INTO statuses_fts (rowid, text) VALUES (?1, ?2)";
constexpr char kDeleteFts[] =
    "INSERT INTO statuses_fts (statuses_fts, rowid, text) VALUES ('delete', ?1, ?2)";
constexpr char kInsertMention[] =
    "INSERT OR IGNORE INTO mentions (status_id, account_id, username) VALUES (?1, ?2, ?3)";
constexpr char kDeleteMentions[] = "DELETE FROM mentions WHERE status_id = ?1";
constexpr char kUpsertTag[] =
    "INSERT INTO tags (name, display_name, created_at) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (name) DO NOTHING";
constexpr char kInsertStatusTag[] =
    "INSERT OR IGNORE INTO status_tags (tag_id, status_id, account_id) "
    "SELECT id, ?2, ?3 FROM tags WHERE name = ?1";
constexpr char kDeleteStatusTags[] = "DELETE FROM status_tags WHERE status_id = ?1";
constexpr char kAdjustCounts[] =
    "UPDATE statuses SET replies_count = max(0, replies_count + ?2), "
    "reblogs_count = max(0, reblogs_count + ?3), "
    "favourites_count = max(0, favourites_count + ?4) WHERE id = ?1";

constexpr char kRecentByAuthor[] =
    "SELECT id FROM statuses WHERE account_id = ?1 AND id < ?2 AND deleted_at IS NULL "
    "ORDER BY id DESC LIMIT ?3";
constexpr char kThread[] =
    "SELECT " POST_READ_COLUMNS " FROM statuses WHERE thread_root_id = ?1 AND deleted_at IS NULL "
    "AND reblog_of_id IS NULL ORDER BY id LIMIT ?2";
constexpr char kPublicDesc[] =
    "SELECT id FROM statuses WHERE visibility = 0 AND reblog_of_id IS NULL AND deleted_at IS NULL "
    "AND (in_reply_to_account_id IS NULL OR in_reply_to_account_id = account_id) "
    "AND id > ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3";
constexpr char kPublicAsc[] =
    "SELECT id FROM statuses WHERE visibility = 0 AND reblog_of_id IS NULL AND deleted_at IS NULL "
    "AND (in_reply_to_account_id IS NULL OR in_reply_to_account_id = account_id) "
    "AND id > ?1 AND id < ?2 ORDER BY id ASC LIMIT ?3";
constexpr char kTaggedDesc[] =
    "SELECT st.status_id FROM status_tags st JOIN statuses s ON s.id = st.status_id "
    "WHERE st.tag_id = (SELECT id FROM tags WHERE name = ?1) AND s.visibility = 0 "
    "AND s.deleted_at IS NULL AND st.status_id > ?2 AND st.status_id < ?3 "
    "ORDER BY st.status_id DESC LIMIT ?4";
constexpr char kTaggedAsc[] =
    "SELECT st.status_id FROM status_tags st JOIN statuses s ON s.id = st.status_id "
    "WHERE st.tag_id = (SELECT id FROM tags WHERE name = ?1) AND s.visibility = 0 "
    "AND s.deleted_at IS NULL AND st.status_id > ?2 AND st.status_id < ?3 "
    "ORDER BY st.status_id ASC LIMIT ?4";
constexpr char kSearch[] =
    "SELECT s.id FROM statuses_fts f JOIN statuses s ON s.id = f.rowid "
    "WHERE statuses_fts MATCH ?1 AND s.deleted_at IS NULL "
    "AND (s.visibility = 0 OR s.account_id = ?2 OR s.id IN "
    "     (SELECT status_id FROM mentions WHERE account_id = ?2)) "
    "AND s.id > ?3 AND s.id < ?4 ORDER BY s.id DESC LIMIT ?5 OFFSET ?6";
// Retroactive screening: a range scan of the primary key.
#define PUBLISHED_RANGE                                                                         \
  "FROM statuses WHERE id > ?1 AND id < ?2 AND deleted_at IS NULL AND reblog_of_id IS NULL "    \
  "AND moderation_removed_at IS NULL AND held_at IS NULL"
constexpr char kPublishedRange[] =
    "SELECT " POST_READ_COLUMNS " " PUBLISHED_RANGE " ORDER BY id LIMIT ?3";
constexpr char kCountPublishedRange[] = "SELECT count(*) " PUBLISHED_RANGE;
#undef PUBLISHED_RANGE
// Retroactive screening runs (migration 0014).
#define RESCAN_COLUMNS                                                                          \
  "id, started_by, state, since, until, last_id, scanned, total, flagged, cases_opened, "        \
  "cases_joined, skipped, rules_version, model_version, error, started_at, finished_at"
constexpr char kPutRescan[] =
    "INSERT OR REPLACE INTO screening_rescans (" RESCAN_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, "
    "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
constexpr char kLastRescan[] =
    "SELECT " RESCAN_COLUMNS " FROM screening_rescans ORDER BY id DESC LIMIT 1";
#undef RESCAN_COLUMNS
constexpr char kFindReblog[] =
    "SELECT " POST_READ_COLUMNS " FROM statuses WHERE reblog_of_id = ?2 AND account_id = ?1 "
    "AND deleted_at IS NULL";
constexpr char kRebloggedByDesc[] =
    "SELECT id, account_id FROM statuses WHERE reblog_of_id = ?1 AND deleted_at IS NULL "
    "AND id > ?2 AND id < ?3 ORDER BY id DESC LIMIT ?4";
constexpr char kRebloggedByAsc[] =
    "SELECT id, account_id FROM statuses WHERE reblog_of_id = ?1 AND deleted_at IS NULL "
    "AND id > ?2 AND id < ?3 ORDER BY id ASC LIMIT ?4";
constexpr char kFavouritedByDesc[] =
    "SELECT id, account_id FROM favourites WHERE status_id = ?1 AND id > ?2 AND id < ?3 "
    "ORDER BY id DESC LIMIT ?4";
constexpr char kFavouritedByAsc[] =
    "SELECT id, account_id FROM favourites WHERE status_id = ?1 AND id > ?2 AND id < ?3 "
    "ORDER BY id ASC LIMIT ?4";
constexpr char kFavouritesDesc[] =
    "SELECT f.id, f.status_id FROM favourites f JOIN statuses s ON s.id = f.status_id "
    "WHERE f.account_id = ?1 AND s.deleted_at IS NULL AND f.id > ?2 AND f.id < ?3 "
    "ORDER BY f.id DESC LIMIT ?4";
constexpr char kFavouritesAsc[] =
    "SELECT f.id, f.status_id FROM favourites f JOIN statuses s ON s.id = f.status_id "
    "WHERE f.account_id = ?1 AND s.deleted_at IS NULL AND f.id > ?2 AND f.id < ?3 "
    "ORDER BY f.id ASC LIMIT ?4";
constexpr char kBookmarksDesc[] =
    "SELECT b.id, b.status_id FROM bookmarks b JOIN statuses s ON s.id = b.status_id "
    "WHERE b.account_id = ?1 AND s.deleted_at IS NULL AND b.id > ?2 AND b.id < ?3 "
    "ORDER BY b.id DESC LIMIT ?4";
constexpr char kBookmarksAsc[] =
    "SELECT b.id, b.status_id FROM bookmarks b JOIN statuses s ON s.id = b.status_id "
    "WHERE b.account_id = ?1 AND s.deleted_at IS NULL AND b.id > ?2 AND b.id < ?3 "
    "ORDER BY b.id ASC LIMIT ?4";
constexpr char kFavouritedAmong[] =
    "SELECT status_id FROM favourites WHERE account_id = ?1 "
    "AND status_id IN (SELECT value FROM json_each(?2))";
constexpr char kBookmarkedAmong[] =
    "SELECT status_id FROM bookmarks WHERE account_id = ?1 "
    "AND status_id IN (SELECT value FROM json_each(?2))";
constexpr char kRebloggedAmong[] =
    "SELECT reblog_of_id FROM statuses WHERE reblog_of_id IN (SELECT value FROM json_each(?2)) "
    "AND account_id = ?1 AND deleted_at IS NULL";
constexpr char kRecentFavourites[] =
    "SELECT status_id FROM favourites WHERE account_id = ?1 AND status_id >= ?2";
constexpr char kRecentBookmarks[] =
    "SELECT status_id FROM bookmarks WHERE account_id = ?1 AND status_id >= ?2";
// A boost's own id is newer than the boosted post's, so the range on id bounds the scan.
constexpr char kRecentReblogs[] =
    "SELECT reblog_of_id FROM statuses WHERE account_id = ?1 AND id >= ?2 "
    "AND reblog_of_id >= ?2 AND deleted_at IS NULL";
constexpr char kInsertFavourite[] =
    "INSERT INTO favourites (id, account_id, status_id, created_at) VALUES (?1, ?2, ?3, ?4)";
constexpr char kDeleteFavourite[] =
    "DELETE FROM favourites WHERE account_id = ?1 AND status_id = ?2 RETURNING id";
constexpr char kInsertBookmark[] =
    "INSERT INTO bookmarks (id, account_id, status_id, created_at) VALUES (?1, ?2, ?3, ?4)";
constexpr char kDeleteBookmark[] =
    "DELETE FROM bookmarks WHERE account_id = ?1 AND status_id = ?2 RETURNING id";
constexpr char kFindIdempotent[] =
    "SELECT status_id FROM idempotency_keys WHERE account_id = ?1 AND key = ?2 "
    "AND created_at >= ?3";
constexpr char kRememberIdempotent[] =
    "INSERT OR REPLACE INTO idempotency_keys (account_id, key, status_id, created_at) "
    "VALUES (?1, ?2, ?3, ?4)";
constexpr char kCountPosts[] =
    "SELECT count(*) FROM statuses WHERE deleted_at IS NULL AND reblog_of_id IS NULL "
    "/* full scan: a cached instance figure */";
constexpr char kMaxId[] = "SELECT max(id) FROM statuses";

std::string EncodeMentions(const std::vector<PostMention>& mentions) {
  std::string out;
  for (const auto& m : mentions) {
    if (!out.empty()) out.push_back(' ');
    out += std::to_string(m.account_id);
    out.push_back(':');
    out += m.username;
  }
  return out;
}

std::vector<PostMention> DecodeMentions(std::string_view text) {
  std::vector<PostMention> out;
  for (auto part : SplitWhitespace(text)) {
    const auto colon = part.find(':');
    if (colon == std::string_view::npos) continue;
    PostMention m;
    std::from_chars(part.data(), part.data() + colon, m.account_id);
    m.username = std::string(part.substr(colon + 1));
    out.push_back(std::move(m));
  }
  return out;
}

std::string EncodeTags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) {
    if (!out.empty()) out.push_back(' ');
    out += t;
  }
  return out;
}

std::vector<std::string> DecodeTags(std::string_view text) {
  std::vector<std::string> out;
  for (auto part : SplitWhitespace(text)) out.emplace_back(part);
  return out;
}

Post ReadPost(const Statement& s) {
  Post p;
  p.id = s.Int(0);
  p.account_id = s.Int(1);
  p.text = s.String(2);
  p.content_html = s.String(3);
  p.spoiler_text = s.String(4);
  p.sensitive = s.Int(5) != 0;
  p.visibility = static_cast<Visibility>(s.Int(6));
  p.language = s.OptionalString(7);
  p.in_reply_to_id = s.OptionalInt(8).value_or(kNoId);
  p.in_reply_to_account_id = s.OptionalInt(9).value_or(kNoId);
  p.reblog_of_id = s.OptionalInt(10).value_or(kNoId);
  p.thread_root_id = s.Int(11);
  p.application_id = s.OptionalInt(12).value_or(kNoId);
  p.created_at = FromUnixMillis(s.Int(13));
  p.edited_at = OptionalTime(s, 14);
  p.deleted_at = OptionalTime(s, 15);
  p.replies_count = s.Int(16);
  p.reblogs_count = s.Int(17);
  p.favourites_count = s.Int(18);
  p.mentions = DecodeMentions(s.Text(19));
  p.tags = DecodeTags(s.Text(20));
  p.moderation_sensitive = s.Int(21) != 0;
  p.moderation_spoiler_text = s.String(22);
  p.moderation_restricted_at = OptionalTime(s, 23);
  p.moderation_removed_at = OptionalTime(s, 24);
  p.held_at = OptionalTime(s, 25);
  return p;
}

// Favourites and bookmarks are rows of one shape: (record id, account, status, time).
Status InsertAccountStatusRow(Connection& c, const char* sql, Id record_id, Id account_id,
                              Id post_id, Timestamp at) {
  StatementScope s(c.Prepare(sql));
  s->Bind(1, record_id).Bind(2, account_id).Bind(3, post_id).Bind(4, ToUnixMillis(at));
  return s->Run();
}

// Deletes an account's favourite or bookmark of a status (`sql` ends in RETURNING id): the
// removed record's id, nullopt when there was none.
Result<std::optional<Id>> DeleteAccountStatusRow(Connection& c, const char* sql, Id account_id,
                                                 Id post_id) {
  StatementScope s(c.Prepare(sql));
  s->Bind(1, account_id).Bind(2, post_id);
  return ReadFirstAndFinish(*s, [](const Statement& row) -> Id { return row.Int(0); });
}

// Runs a paged query whose first parameter is `key` and whose next three are lower, upper and
// limit; returns newest first whichever direction it scanned.
template <typename Entry>
std::vector<Entry> PagedPairs(Connection* c, const char* desc_sql, const char* asc_sql, Id key,
                              const PageQuery& page) {
  StatementScope s(c->Prepare(page.ascending() ? asc_sql : desc_sql));
  s->Bind(1, key).Bind(2, page.lower()).Bind(3, page.upper()).Bind(4, page.limit);
  std::vector<Entry> out = ReadAll(*s, [](const Statement& row) {
    return Entry{row.Int(0), row.Int(1)};
  });
  if (page.ascending()) std::reverse(out.begin(), out.end());
  return out;
}

// A safe FTS5 query: each word quoted (so operators in user input are literal), all required.
std::string FtsQuery(std::string_view query) {
  std::string out;
  for (auto word : SplitWhitespace(query)) {
    std::string quoted = "\"";
    for (char c : word) {
      if (c == '"') quoted.push_back('"');
      quoted.push_back(c);
    }
    quoted.push_back('"');
    if (quoted == "\"\"") continue;
    if (!out.empty()) out.push_back(' ');
    out += quoted;
  }
  return out;
}

}  // namespace

Result<Post> SqlitePosts::Get(Id id) const { return ReadOneByKey(*c_, kSelectPost, id, ReadPost); }

std::vector<Post> SqlitePosts::GetMany(std::span<const Id> ids) const {
  std::vector<Post> out;
  if (ids.empty()) return out;
  if (ids.size() == 1) {  // a primary-key lookup without the id list
    if (auto one = Get(ids[0]); one.ok()) out.push_back(std::move(one).value());
    return out;
  }
  StatementScope s(c_->Prepare(kSelectPosts));
  s->Bind(1, IdListJson(ids));
  return ReadAll(*s, ReadPost);
}

std::vector<Id> SqlitePosts::ListByAccount(Id account_id, const AccountPostFilter& filter,
                                           const PageQuery& page) const {
  // The variants are few; each distinct SQL text is prepared once and cached.
  std::string sql = "SELECT s.id FROM statuses s ";
  if (!filter.tagged.empty()) {
    sql += "JOIN status_tags st ON st.status_id = s.id AND st.tag_id = "
           "(SELECT id FROM tags WHERE name = ?5) ";
  }
  sql += "WHERE s.account_id = ?1 AND s.deleted_at IS NULL AND s.id > ?2 AND s.id < ?3 ";
  if (filter.exclude_replies) {
    sql += "AND (s.in_reply_to_id IS NULL OR s.in_reply_to_account_id = s.account_id) ";
  }
  if (filter.exclude_reblogs) sql += "AND s.reblog_of_id IS NULL ";
  sql += "AND (s.visibility <= ?6 OR s.id IN (SELECT status_id FROM mentions WHERE account_id = ?7)) ";
  sql += page.ascending() ? "ORDER BY s.id ASC LIMIT ?4" : "ORDER BY s.id DESC LIMIT ?4";
  StatementScope s(c_->PrepareDynamic(sql));
  s->Bind(1, account_id).Bind(2, page.lower()).Bind(3, page.upper()).Bind(4, page.limit);
  if (!filter.tagged.empty()) s->Bind(5, filter.tagged);
  s->Bind(6, static_cast<int64_t>(filter.max_visibility)).Bind(7, filter.mentioned_viewer);
  std::vector<Id> out = ReadIds(*s);
  if (page.ascending()) std::reverse(out.begin(), out.end());
  return out;
}

std::vector<Id> SqlitePosts::RecentByAuthors(std::span<const Id> authors, Id before, int block,
                                             int limit) const {
  // A k-way merge over each author's newest posts, read lazily in blocks.
  struct Cursor {
    std::vector<Id> ids;  // newest first
    size_t next = 0;
    bool exhausted = false;  // the last block was short: nothing older remains
  };
  std::vector<Cursor> cursors(authors.size());
  auto fill = [&](size_t i, Id below) {
    StatementScope s(c_->Prepare(kRecentByAuthor));
    s->Bind(1, authors[i]).Bind(2, below).Bind(3, block);
    Cursor& c = cursors[i];
    c.ids = ReadIds(*s);
    c.next = 0;
    c.exhausted = static_cast<int>(c.ids.size()) < block;
  };
  using Head = std::pair<Id, size_t>;  // (id, cursor)
  std::priority_queue<Head> heads;
  for (size_t i = 0; i < authors.size(); ++i) {
    fill(i, before);
    if (!cursors[i].ids.empty()) heads.emplace(cursors[i].ids[0], i);
  }
  std::vector<Id> out;
  while (!heads.empty() && static_cast<int>(out.size()) < limit) {
    auto [id, i] = heads.top();
    heads.pop();
    out.push_back(id);
    Cursor& c = cursors[i];
    if (++c.next == c.ids.size()) {
      if (c.exhausted) continue;
      fill(i, id);
    }
    if (c.next < c.ids.size()) heads.emplace(c.ids[c.next], i);
  }
  return out;
}

std::vector<Post> SqlitePosts::ListThread(Id thread_root_id, int limit) const {
  StatementScope s(c_->Prepare(kThread));
  s->Bind(1, thread_root_id).Bind(2, limit);
  return ReadAll(*s, ReadPost);
}

std::vector<Id> SqlitePosts::ListPublic(const PageQuery& page) const {
  StatementScope s(c_->Prepare(page.ascending() ? kPublicAsc : kPublicDesc));
  s->Bind(1, page.lower()).Bind(2, page.upper()).Bind(3, page.limit);
  std::vector<Id> out = ReadIds(*s);
  if (page.ascending()) std::reverse(out.begin(), out.end());
  return out;
}

std::vector<Id> SqlitePosts::ListTagged(std::string_view tag, const PageQuery& page) const {
  StatementScope s(c_->Prepare(page.ascending() ? kTaggedAsc : kTaggedDesc));
  s->Bind(1, tag).Bind(2, page.lower()).Bind(3, page.upper()).Bind(4, page.limit);
  std::vector<Id> out = ReadIds(*s);
  if (page.ascending()) std::reverse(out.begin(), out.end());
  return out;
}

std::vector<Id> SqlitePosts::SearchText(std::string_view query, Id viewer_id,
                                        const PageQuery& page, int offset) const {
  const std::string match = FtsQuery(query);
  if (match.empty()) return {};
  StatementScope s(c_->Prepare(kSearch));
  s->Bind(1, match)
      .Bind(2, viewer_id)
      .Bind(3, page.lower())
      .Bind(4, page.upper())
      .Bind(5, page.limit)
      .Bind(6, offset);
  return ReadIds(*s);
}

std::optional<Post> SqlitePosts::FindReblog(Id account_id, Id post_id) const {
  StatementScope s(c_->Prepare(kFindReblog));
  s->Bind(1, account_id).Bind(2, post_id);
  return ReadOptional(*s, ReadPost);
}

std::vector<ActorEntry> SqlitePosts::ListRebloggedBy(Id post_id, const PageQuery& page) const {
  return PagedPairs<ActorEntry>(c_, kRebloggedByDesc, kRebloggedByAsc, post_id, page);
}

std::vector<ActorEntry> SqlitePosts::ListFavouritedBy(Id post_id, const PageQuery& page) const {
  return PagedPairs<ActorEntry>(c_, kFavouritedByDesc, kFavouritedByAsc, post_id, page);
}

std::vector<PostEntry> SqlitePosts::ListFavourites(Id account_id, const PageQuery& page) const {
  return PagedPairs<PostEntry>(c_, kFavouritesDesc, kFavouritesAsc, account_id, page);
}

std::vector<PostEntry> SqlitePosts::ListBookmarks(Id account_id, const PageQuery& page) const {
  return PagedPairs<PostEntry>(c_, kBookmarksDesc, kBookmarksAsc, account_id, page);
}

namespace {
std::vector<Id> Among(Connection* c, const char* sql, Id account_id, std::span<const Id> ids) {
  if (ids.empty()) return {};
  StatementScope s(c->Prepare(sql));
  s->Bind(1, account_id).Bind(2, IdListJson(ids));
  return ReadIds(*s);
}
}  // namespace

std::vector<Id> SqlitePosts::FavouritedAmong(Id account_id, std::span<const Id> ids) const {
  return Among(c_, kFavouritedAmong, account_id, ids);
}
std::vector<Id> SqlitePosts::BookmarkedAmong(Id account_id, std::span<const Id> ids) const {
  return Among(c_, kBookmarkedAmong, account_id, ids);
}
std::vector<Id> SqlitePosts::RebloggedAmong(Id account_id, std::span<const Id> ids) const {
  return Among(c_, kRebloggedAmong, account_id, ids);
}

Interactions SqlitePosts::RecentInteractions(Id account_id, Id min_post_id) const {
  Interactions out;
  auto collect = [&](const char* sql, std::vector<Id>& into) {
    StatementScope s(c_->Prepare(sql));
    s->Bind(1, account_id).Bind(2, min_post_id);
    into = ReadIds(*s);
  };
  collect(kRecentFavourites, out.favourited);
  collect(kRecentBookmarks, out.bookmarked);
  collect(kRecentReblogs, out.reblogged);
  return out;
}

std::vector<PostEdit> SqlitePosts::ListEdits(Id post_id) const {
  StatementScope s(c_->Prepare(kSelectEdits));
  s->Bind(1, post_id);
  std::vector<PostEdit> out;
  while (true) {
    auto row = s->Step();
    if (!row.ok() || !*row) break;
    PostEdit e;
    e.id = s->Int(0);
    e.post_id = s->Int(1);
    e.text = s->String(2);
    e.content_html = s->String(3);
    e.spoiler_text = s->String(4);
    e.sensitive = s->Int(5) != 0;
    e.created_at = FromUnixMillis(s->Int(6));
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<Id> SqlitePosts::FindIdempotent(Id account_id, std::string_view key,
                                              Timestamp since) const {
  StatementScope s(c_->Prepare(kFindIdempotent));
  s->Bind(1, account_id).Bind(2, key).Bind(3, ToUnixMillis(since));
  return ReadOptional(*s, [](const Statement& row) -> Id { return row.Int(0); });
}

int64_t SqlitePosts::Count() const {
  auto v = QueryInt(*c_, kCountPosts);
  return v.ok() && *v ? **v : 0;
}

Id SqlitePosts::MaxId() const {
  auto v = QueryInt(*c_, kMaxId);
  return v.ok() && *v ? **v : kNoId;
}

std::vector<Post> SqlitePosts::ListPublishedRange(Id after, Id before, int limit) const {
  StatementScope s(c_->Prepare(kPublishedRange));
  s->Bind(1, after).Bind(2, before).Bind(3, limit);
  return ReadAll(*s, ReadPost);
}

int64_t SqlitePosts::CountPublishedRange(Id after, Id before) const {
  StatementScope s(c_->Prepare(kCountPublishedRange));
  s->Bind(1, after).Bind(2, before);
  return CountOf(*s);
}

Status SqlitePosts::PutRescan(const ScreeningRescanJob& j) {
  StatementScope s(c_->Prepare(kPutRescan));
  s->Bind(1, j.id)
      .Bind(2, j.started_by)
      .Bind(3, j.state)
      .Bind(4, ToUnixMillis(j.since))
      .Bind(5, OptionalMillis(j.until))
      .Bind(6, j.last_id)
      .Bind(7, j.scanned)
      .Bind(8, j.total)
      .Bind(9, j.flagged)
      .Bind(10, j.cases_opened)
      .Bind(11, j.cases_joined)
      .Bind(12, j.skipped)
      .Bind(13, j.rules_version)
      .Bind(14, j.model_version)
      .Bind(15, j.error)
      .Bind(16, ToUnixMillis(j.started_at))
      .Bind(17, OptionalMillis(j.finished_at));
  return s->Run();
}

std::optional<ScreeningRescanJob> SqlitePosts::LastRescan() const {
  StatementScope s(c_->Prepare(kLastRescan));
  auto row = s->Step();
  if (!row.ok() || !*row) return std::nullopt;
  ScreeningRescanJob j;
  j.id = s->Int(0);
  j.started_by = s->Int(1);
  j.state = std::string(s->Text(2));
  j.since = FromUnixMillis(s->Int(3));
  j.until = OptionalTime(*s, 4);
  j.last_id = s->Int(5);
  j.scanned = s->Int(6);
  j.total = s->Int(7);
  j.flagged = s->Int(8);
  j.cases_opened = s->Int(9);
  j.cases_joined = s->Int(10);
  j.skipped = s->Int(11);
  j.rules_version = std::string(s->Text(12));
  j.model_version = std::string(s->Text(13));
  j.error = std::string(s->Text(14));
  j.started_at = FromUnixMillis(s->Int(15));
  j.finished_at = OptionalTime(*s, 16);
  return j;
}

Status SqlitePosts::WriteMentionsAndTags(const Post& p) {
  for (const auto& m : p.mentions) {
    StatementScope s(c_->Prepare(kInsertMention));
    s->Bind(1, p.id).Bind(2, m.account_id).Bind(3, m.username);
    RETURN_IF_ERROR(s->Run());
  }
  for (const auto& tag : p.tags) {
    {
      StatementScope s(c_->Prepare(kUpsertTag));
      s->Bind(1, tag).Bind(2, tag).Bind(3, ToUnixMillis(p.created_at));
      RETURN_IF_ERROR(s->Run());
    }
    StatementScope s(c_->Prepare(kInsertStatusTag));
    s->Bind(1, tag).Bind(2, p.id).Bind(3, p.account_id);
    RETURN_IF_ERROR(s->Run());
  }
  return Status::Ok();
}

Status SqlitePosts::Insert(const Post& p) {
  StatementScope s(c_->Prepare(kInsertPost));
  s->Bind(1, p.id)
      .Bind(2, p.account_id)
      .Bind(3, p.text)
      .Bind(4, p.content_html)
      .Bind(5, p.spoiler_text)
      .Bind(6, p.sensitive)
      .Bind(7, static_cast<int64_t>(p.visibility))
      .Bind(8, p.language)
      .Bind(9, OptionalId(p.in_reply_to_id))
      .Bind(10, OptionalId(p.in_reply_to_account_id))
      .Bind(11, OptionalId(p.reblog_of_id))
      .Bind(12, p.thread_root_id != kNoId ? p.thread_root_id : p.id)
      .Bind(13, OptionalId(p.application_id))
      .Bind(14, ToUnixMillis(p.created_at))
      .Bind(15, OptionalMillis(p.edited_at))
      .Bind(16, OptionalMillis(p.deleted_at))
      .Bind(17, p.replies_count)
      .Bind(18, p.reblogs_count)
      .Bind(19, p.favourites_count)
      .Bind(20, EncodeMentions(p.mentions))
      .Bind(21, EncodeTags(p.tags))
      .Bind(22, OptionalMillis(p.held_at));
  RETURN_IF_ERROR(s->Run());
  if (!p.text.empty()) RETURN_IF_ERROR(RunWithId(*c_, kQueueNewForSearch, p.id));
  return WriteMentionsAndTags(p);
}

Status SqlitePosts::Update(const Post& p, const PostEdit& previous) {
  {
    StatementScope e(c_->Prepare(kInsertEdit));
    e->Bind(1, previous.id)
        .Bind(2, p.id)
        .Bind(3, previous.text)
        .Bind(4, previous.content_html)
        .Bind(5, previous.spoiler_text)
        .Bind(6, previous.sensitive)
        .Bind(7, ToUnixMillis(previous.created_at));
    RETURN_IF_ERROR(e->Run());
  }
  RETURN_IF_ERROR(RunWithId(*c_, kQueueChangedForSearch, p.id));
  {
    StatementScope s(c_->Prepare(kUpdatePost));
    s->Bind(1, p.id)
        .Bind(2, p.text)
        .Bind(3, p.content_html)
        .Bind(4, p.spoiler_text)
        .Bind(5, p.sensitive)
        .Bind(6, p.language)
        .Bind(7, OptionalMillis(p.edited_at))
        .Bind(8, EncodeMentions(p.mentions))
        .Bind(9, EncodeTags(p.tags))
        .Bind(10, OptionalMillis(p.held_at));
    RETURN_IF_ERROR(RunChangingRow(*c_, *s));
  }
  RETURN_IF_ERROR(RunWithId(*c_, kDeleteMentions, p.id));
  RETURN_IF_ERROR(RunWithId(*c_, kDeleteStatusTags, p.id));
  return WriteMentionsAndTags(p);
}

Status SqlitePosts::MarkDeleted(Id id, Timestamp at) {
  RETURN_IF_ERROR(RunWithId(*c_, kQueueChangedForSearch, id));
  StatementScope s(c_->Prepare(kMarkDeleted));
  s->Bind(1, id).Bind(2, ToUnixMillis(at));
  return RunChangingRow(*c_, *s);
}

Result<int> SqlitePosts::IndexPendingSearch(int max) {
  ASSIGN_OR_RETURN(std::optional<int64_t> stored_watermark, QueryInt(*c_, kSearchWatermark));
  if (!stored_watermark) return Internal("search_watermark has no row");
  const Id watermark = *stored_watermark;
  struct Pending {
    Id id;
    std::optional<std::string> indexed_text;
    std::optional<std::string> text;
    bool deleted;
  };
  std::vector<Pending> batch;
  {
    StatementScope s(c_->Prepare(kSelectPendingSearch));
    s->Bind(1, max);
    auto read = [](const Statement& row) {
      return Pending{row.Int(0), row.OptionalString(1), row.OptionalString(2), !row.IsNull(3)};
    };
    ASSIGN_OR_RETURN(batch, ReadAllOrError(*s, read));
  }
  for (const auto& p : batch) {
    if (p.id > watermark) {
      // Not indexed yet (its queue row records no text): the scan below indexes its text as it
      // is then, whatever changed since.
      RETURN_IF_ERROR(RunWithId(*c_, kDequeueSearch, p.id));
      continue;
    }
    if (p.indexed_text) {
      StatementScope del(c_->Prepare(kDeleteFts));
      del->Bind(1, p.id).Bind(2, *p.indexed_text);
      RETURN_IF_ERROR(del->Run());
    }
    if (p.text && !p.text->empty() && !p.deleted) {
      StatementScope ins(c_->Prepare(kInsertFts));
      ins->Bind(1, p.id).Bind(2, *p.text);
      RETURN_IF_ERROR(ins->Run());
    }
    RETURN_IF_ERROR(RunWithId(*c_, kDequeueSearch, p.id));
  }
  // Then the statuses above the watermark, oldest first, with what is left of `max`. When the
  // queue filled `max`, none: queue rows above the watermark must go before the scan passes them.
  const int room = max - static_cast<int>(batch.size());
  if (room <= 0) return static_cast<int>(batch.size());
  int scanned = 0;
  Id last = watermark;
  {
    StatementScope s(c_->Prepare(kSelectNewForSearch));
    s->Bind(1, watermark).Bind(2, room);
    struct New {
      Id id;
      std::string text;
      bool deleted;
    };
    auto read = [](const Statement& row) {
      return New{row.Int(0), std::string(row.Text(1)), row.Int(2) != 0};
    };
    ASSIGN_OR_RETURN(std::vector<New> fresh, ReadAllOrError(*s, read));
    for (const auto& n : fresh) {
      if (!n.text.empty() && !n.deleted) {
        StatementScope ins(c_->Prepare(kInsertFts));
        ins->Bind(1, n.id).Bind(2, n.text);
        RETURN_IF_ERROR(ins->Run());
      }
      last = n.id;
    }
    scanned = static_cast<int>(fresh.size());
  }
  if (scanned > 0) {
    StatementScope s(c_->Prepare(kSetSearchWatermark));
    s->Bind(1, last);
    RETURN_IF_ERROR(s->Run());
  }
  return static_cast<int>(batch.size()) + scanned;
}

bool SqlitePosts::HasPendingSearch() const {
  auto v = QueryInt(*c_, kHasPendingSearch);
  return v.ok() && *v && **v != 0;
}

Result<std::vector<Id>> SqlitePosts::DeleteReblogsOf(Id post_id, Timestamp at) {
  StatementScope s(c_->Prepare(kDeleteReblogs));
  s->Bind(1, post_id).Bind(2, ToUnixMillis(at));
  return ReadAllOrError(*s, [](const Statement& row) -> Id { return row.Int(0); });
}

Status SqlitePosts::AdjustCounts(Id id, int64_t replies, int64_t reblogs, int64_t favourites) {
  StatementScope s(c_->Prepare(kAdjustCounts));
  s->Bind(1, id).Bind(2, replies).Bind(3, reblogs).Bind(4, favourites);
  return s->Run();
}

Status SqlitePosts::AddFavourite(Id record_id, Id account_id, Id post_id, Timestamp at) {
  return InsertAccountStatusRow(*c_, kInsertFavourite, record_id, account_id, post_id, at);
}

Result<std::optional<Id>> SqlitePosts::RemoveFavourite(Id account_id, Id post_id) {
  return DeleteAccountStatusRow(*c_, kDeleteFavourite, account_id, post_id);
}

Status SqlitePosts::AddBookmark(Id record_id, Id account_id, Id post_id, Timestamp at) {
  return InsertAccountStatusRow(*c_, kInsertBookmark, record_id, account_id, post_id, at);
}

Result<std::optional<Id>> SqlitePosts::RemoveBookmark(Id account_id, Id post_id) {
  return DeleteAccountStatusRow(*c_, kDeleteBookmark, account_id, post_id);
}

Status SqlitePosts::RememberIdempotencyKey(Id account_id, std::string_view key, Id post_id,
                                           Timestamp at) {
  StatementScope s(c_->Prepare(kRememberIdempotent));
  s->Bind(1, account_id).Bind(2, key).Bind(3, post_id).Bind(4, ToUnixMillis(at));
  return s->Run();
}

Status SqlitePosts::SetHeld(Id id, std::optional<Timestamp> held_at) {
  StatementScope s(c_->Prepare(kSetHeld));
  s->Bind(1, id).Bind(2, OptionalMillis(held_at));
  return RunChangingRow(*c_, *s);
}

Status SqlitePosts::InsertScreening(const ScreeningRecord& r) {
  std::string names;
  for (const auto& n : r.rule_names) {
    if (!names.empty()) names.push_back(',');
    names += n;
  }
  StatementScope s(c_->Prepare(kInsertScreening));
  s->Bind(1, r.id)
      .Bind(2, r.status_id)
      .Bind(3, ToUnixMillis(r.created_at))
      .Bind(4, r.edit)
      .Bind(5, r.verdict)
      .Bind(6, r.reason)
      .Bind(7, names)
      .Bind(8, r.signals_json)
      .Bind(9, r.rules_version)
      .Bind(10, r.model_version);
  return s->Run();
}

std::vector<ScreeningRecord> SqlitePosts::ListScreenings(Id status_id) const {
  StatementScope s(c_->Prepare(kSelectScreenings));
  s->Bind(1, status_id);
  std::vector<ScreeningRecord> out;
  while (true) {
    auto row = s->Step();
    if (!row.ok() || !*row) break;
    ScreeningRecord r;
    r.id = s->Int(0);
    r.status_id = s->Int(1);
    r.created_at = FromUnixMillis(s->Int(2));
    r.edit = s->Int(3) != 0;
    r.verdict = s->String(4);
    r.reason = s->String(5);
    for (auto name : Split(s->Text(6), ',')) {
      if (!name.empty()) r.rule_names.emplace_back(name);
    }
    r.signals_json = s->String(7);
    r.rules_version = s->String(8);
    r.model_version = s->String(9);
    out.push_back(std::move(r));
  }
  return out;
}

namespace {

RemovedFingerprint RemovedFingerprintRow(const Statement& s) {
  RemovedFingerprint f;
  f.status_id = s.Int(0);
  f.simhash = static_cast<uint64_t>(s.Int(1));
  f.shingles = static_cast<uint32_t>(s.Int(2));
  f.removed_at = FromUnixMillis(s.Int(3));
  f.category = s.String(4);
  return f;
}

}  // namespace

Status SqlitePosts::PutRemovedFingerprint(const RemovedFingerprint& f) {
  StatementScope s(c_->Prepare(kPutRemovedFingerprint));
  s->Bind(1, f.status_id)
      .Bind(2, static_cast<int64_t>(f.simhash))
      .Bind(3, static_cast<int64_t>(f.shingles))
      .Bind(4, ToUnixMillis(f.removed_at))
      .Bind(5, f.category);
  return s->Run();
}

Status SqlitePosts::DeleteRemovedFingerprint(Id status_id) {
  return RunWithId(*c_, kDeleteRemovedFingerprint, status_id);
}

std::optional<RemovedFingerprint> SqlitePosts::GetRemovedFingerprint(Id status_id) const {
  StatementScope s(c_->Prepare(kSelectRemovedFingerprint));
  s->Bind(1, status_id);
  return ReadOptional(*s, RemovedFingerprintRow);
}

std::vector<RemovedFingerprint> SqlitePosts::ListRemovedFingerprints() const {
  StatementScope s(c_->Prepare(kSelectRemovedFingerprints));
  return ReadAll(*s, RemovedFingerprintRow);
}

}  // namespace stoa::storage::sqlite
