// SQLite implementations of the storage interfaces. Internal to storage/sqlite: each repository
// is bound to one connection and holds nothing else, so constructing one is free.
#pragma once

#include "storage/storage.h"
#include "storage/sqlite/connection.h"

namespace stoa::storage::sqlite {

class SqliteAccounts final : public Accounts {
 public:
  explicit SqliteAccounts(Connection* c) : c_(c) {}
  Result<Account> Get(Id id) const override;
  std::vector<Account> GetMany(std::span<const Id> ids) const override;
  Result<Account> FindByUsername(std::string_view username) const override;
  Result<Account> FindOldestWithRole(Role role) const override;
  Result<User> GetUser(Id account_id) const override;
  Result<User> FindUserByEmail(std::string_view email) const override;
  std::vector<Account> Search(std::string_view query, int limit, int offset) const override;
  int64_t Count() const override;
  int64_t CountActiveSince(Timestamp since) const override;
  std::vector<AdminAccountRow> ListForAdmin(const AdminAccountFilter& filter,
                                            const PageQuery& page, Timestamp now) const override;
  Status Create(const Account& account, const User& user) override;
  Status UpdateProfile(const Account& account) override;
  Status UpdateUser(const User& user) override;
  Status AdjustCounts(Id id, int64_t statuses, int64_t followers, int64_t following) override;
  Result<Account> RecordStatus(Id id, int64_t statuses, Timestamp at) override;
  Status DeletePending(Id id) override;

 private:
  Connection* c_;
};

class SqlitePosts final : public Posts {
 public:
  explicit SqlitePosts(Connection* c) : c_(c) {}
  Result<Post> Get(Id id) const override;
  std::vector<Post> GetMany(std::span<const Id> ids) const override;
  std::vector<Id> ListByAccount(Id account_id, const AccountPostFilter& filter,
                                const PageQuery& page) const override;
  std::vector<Id> RecentByAuthors(std::span<const Id> authors, Id before, int block,
                                  int limit) const override;
  std::vector<Post> ListThread(Id thread_root_id, int limit) const override;
  std::vector<Id> ListPublic(const PageQuery& page) const override;
  std::vector<Id> ListTagged(std::string_view tag, const PageQuery& page) const override;
  std::vector<Id> SearchText(std::string_view query, Id viewer_id, const PageQuery& page,
                             int offset) const override;
  std::optional<Post> FindReblog(Id account_id, Id post_id) const override;
  std::vector<ActorEntry> ListRebloggedBy(Id post_id, const PageQuery& page) const override;
  std::vector<ActorEntry> ListFavouritedBy(Id post_id, const PageQuery& page) const override;
  std::vector<PostEntry> ListFavourites(Id account_id, const PageQuery& page) const override;
  std::vector<PostEntry> ListBookmarks(Id account_id, const PageQuery& page) const override;
  std::vector<Id> FavouritedAmong(Id account_id, std::span<const Id> post_ids) const override;
  std::vector<Id> BookmarkedAmong(Id account_id, std::span<const Id> post_ids) const override;
  std::vector<Id> RebloggedAmong(Id account_id, std::span<const Id> post_ids) const override;
  Interactions RecentInteractions(Id account_id, Id min_post_id) const override;
  std::vector<PostEdit> ListEdits(Id post_id) const override;
  std::optional<Id> FindIdempotent(Id account_id, std::string_view key,
                                   Timestamp since) const override;
  int64_t Count() const override;
  Id MaxId() const override;
  std::vector<Post> ListPublishedRange(Id after, Id before, int limit) const override;
  int64_t CountPublishedRange(Id after, Id before) const override;
  Status Insert(const Post& post) override;
  Status Update(const Post& post, const PostEdit& previous) override;
  Status MarkDeleted(Id id, Timestamp at) override;
  Result<int> IndexPendingSearch(int max) override;
  bool HasPendingSearch() const override;
  Result<std::vector<Id>> DeleteReblogsOf(Id post_id, Timestamp at) override;
  Status AdjustCounts(Id id, int64_t replies, int64_t reblogs, int64_t favourites) override;
  Status AddFavourite(Id record_id, Id account_id, Id post_id, Timestamp at) override;
  Result<std::optional<Id>> RemoveFavourite(Id account_id, Id post_id) override;
  Status AddBookmark(Id record_id, Id account_id, Id post_id, Timestamp at) override;
  Result<std::optional<Id>> RemoveBookmark(Id account_id, Id post_id) override;
  Status RememberIdempotencyKey(Id account_id, std::string_view key, Id post_id,
                                Timestamp at) override;
  Status SetHeld(Id id, std::optional<Timestamp> held_at) override;
  Status InsertScreening(const ScreeningRecord& record) override;
  std::vector<ScreeningRecord> ListScreenings(Id status_id) const override;
  Status PutRemovedFingerprint(const RemovedFingerprint& fingerprint) override;
  Status DeleteRemovedFingerprint(Id status_id) override;
  std::optional<RemovedFingerprint> GetRemovedFingerprint(Id status_id) const override;
  std::vector<RemovedFingerprint> ListRemovedFingerprints() const override;
  Status PutRescan(const ScreeningRescanJob& job) override;
  std::optional<ScreeningRescanJob> LastRescan() const override;

 private:
  Status WriteMentionsAndTags(const Post& post);
  Connection* c_;
};

class SqliteTags final : public Tags {
 public:
  explicit SqliteTags(Connection* c) : c_(c) {}
  Result<Tag> FindByName(std::string_view name) const override;
  std::vector<Tag> Search(std::string_view prefix, int limit, int offset) const override;
  TagUsage Usage(Id tag_id, Timestamp from, Timestamp to) const override;

 private:
  Connection* c_;
};

class SqliteRelationships final : public Relationships {
 public:
  explicit SqliteRelationships(Connection* c) : c_(c) {}
  std::optional<Follow> GetFollow(Id account_id, Id target_id) const override;
  std::optional<Follow> GetFollowRequest(Id account_id, Id target_id) const override;
  bool IsBlocking(Id account_id, Id target_id) const override;
  std::optional<Mute> GetMute(Id account_id, Id target_id, Timestamp now) const override;
  std::vector<Relationship> Describe(Id viewer_id, std::span<const Id> target_ids,
                                     Timestamp now) const override;
  std::vector<AccountEntry> ListFollowers(Id target_id, const PageQuery& page) const override;
  std::vector<AccountEntry> ListFollowing(Id account_id, const PageQuery& page) const override;
  std::vector<AccountEntry> ListFollowRequests(Id target_id, const PageQuery& page) const override;
  std::vector<AccountEntry> ListBlocks(Id account_id, const PageQuery& page) const override;
  std::vector<AccountEntry> ListMutes(Id account_id, const PageQuery& page,
                                      Timestamp now) const override;
  std::vector<Id> FollowerIds(Id target_id) const override;
  std::vector<Id> NotifyingFollowerIds(Id target_id) const override;
  std::vector<Follow> Following(Id account_id) const override;
  std::vector<Id> BlockingIds(Id account_id) const override;
  std::vector<Id> BlockedByIds(Id account_id) const override;
  std::vector<Mute> ActiveMutes(Id account_id, Timestamp now) const override;
  int64_t CountFollowRequests(Id target_id) const override;
  Status InsertFollow(const Follow& follow) override;
  Status UpdateFollowOptions(const Follow& follow) override;
  Result<std::optional<Follow>> DeleteFollow(Id account_id, Id target_id) override;
  Status InsertFollowRequest(const Follow& request) override;
  Result<std::optional<Follow>> DeleteFollowRequest(Id account_id, Id target_id) override;
  Status InsertBlock(Id record_id, Id account_id, Id target_id, Timestamp at) override;
  Result<bool> DeleteBlock(Id account_id, Id target_id) override;
  Status UpsertMute(const Mute& mute) override;
  Result<bool> DeleteMute(Id account_id, Id target_id) override;
  Status SetNote(Id account_id, Id target_id, std::string_view comment) override;

 private:
  Connection* c_;
};

class SqliteNotifications final : public Notifications {
 public:
  explicit SqliteNotifications(Connection* c) : c_(c) {}
  std::vector<Notification> List(Id account_id, const NotificationFilter& filter,
                                 const PageQuery& page) const override;
  Result<Notification> Get(Id account_id, Id id) const override;
  int64_t CountAfter(Id account_id, Id after_id, const NotificationFilter& filter,
                     int limit) const override;
  std::optional<Marker> GetMarker(Id account_id, std::string_view timeline) const override;
  Status Insert(const Notification& n) override;
  Result<bool> Dismiss(Id account_id, Id id) override;
  Status Clear(Id account_id) override;
  Status DeleteForActivity(NotificationType type, Id activity_id) override;
  Status DeleteForStatus(Id status_id) override;
  Status DeleteBetween(Id account_id, Id other_id) override;
  Result<Marker> SetMarker(Id account_id, std::string_view timeline, Id last_read_id,
                           Timestamp at) override;

 private:
  Connection* c_;
};

class SqliteOAuth final : public OAuthStore {
 public:
  explicit SqliteOAuth(Connection* c) : c_(c) {}
  Result<OAuthApp> GetApp(Id id) const override;
  Result<OAuthApp> FindAppByClientId(std::string_view client_id) const override;
  Result<AccessToken> FindToken(std::string_view token_hash) const override;
  Result<AccessToken> GetToken(Id id) const override;
  Status InsertApp(const OAuthApp& app) override;
  Status InsertToken(const AccessToken& token) override;
  Status RevokeToken(Id id, Timestamp at) override;
  Result<std::vector<std::string>> RevokeAccountTokens(Id account_id, Timestamp at) override;
  Status InsertCode(const AuthorizationCode& code) override;
  Result<AuthorizationCode> ConsumeCode(std::string_view code_hash, Timestamp now) override;

 private:
  Connection* c_;
};

class SqliteInstanceRules final : public InstanceRules {
 public:
  explicit SqliteInstanceRules(Connection* c) : c_(c) {}
  std::vector<InstanceRule> List() const override;
  Result<InstanceRule> Get(Id id) const override;
  Status Insert(const InstanceRule& rule) override;
  Status Update(const InstanceRule& rule) override;
  Status Delete(Id id, Timestamp at) override;

 private:
  Connection* c_;
};

class SqliteNotices final : public Notices {
 public:
  explicit SqliteNotices(Connection* c) : c_(c) {}
  Result<Notice> Get(Id id) const override;
  Result<Notice> FindByReference(std::string_view reference) const override;
  std::vector<Notice> ListForCase(Id case_id, int limit) const override;
  std::vector<Notice> ListByReporter(Id account_id, const PageQuery& page) const override;
  int64_t CountReceived(Timestamp from, Timestamp to) const override;
  Status Insert(const Notice& notice) override;
  Status SetCaseOutcome(Id case_id, Id decision_id, std::string_view outcome,
                        Timestamp at) override;

 private:
  Connection* c_;
};

class SqliteCases final : public Cases {
 public:
  explicit SqliteCases(Connection* c) : c_(c) {}
  Result<Case> Get(Id id) const override;
  std::optional<Case> FindOpenForTarget(TargetType type, Id target_id) const override;
  std::vector<Case> List(const CaseFilter& filter, int limit) const override;
  std::vector<Case> ListForAccount(Id account_id, int limit) const override;
  int64_t CountOpen() const override;
  Status Insert(const Case& c) override;
  Status Update(const Case& c) override;
  Status UpdateTriage(const Case& c) override;
  Result<bool> AddNotifier(Id case_id, std::string_view notifier_key) override;
  NotifierLinks MemberNotifierLinks(Id case_id, Id account_id, int limit) const override;
  Result<int64_t> ExpireLeases(Timestamp now) override;
  Result<std::optional<Case>> ClaimHead(Id moderator_id, Timestamp lease_until,
                                        Timestamp now) override;
  std::vector<CaseNote> ListNotes(Id case_id) const override;
  Status InsertNote(const CaseNote& note) override;
  Status AddStatus(const CaseStatus& status) override;
  std::vector<CaseStatus> ListStatuses(Id case_id, int limit) const override;
  Status RemoveStatus(Id case_id, Id status_id) override;
  Status ExcludeStatus(Id case_id, Id status_id) override;
  Result<bool> IsExcluded(Id case_id, Id status_id) const override;
  std::vector<std::pair<Id, Id>> ListOpenCaseExclusions() const override;
  std::optional<Case> FindOpenWithStatus(Id status_id) const override;
  std::vector<CaseStatus> ListOpenCaseStatuses() const override;

 private:
  Connection* c_;
};

class SqliteNotifiers final : public Notifiers {
 public:
  explicit SqliteNotifiers(Connection* c) : c_(c) {}
  Result<PriorityNotifier> Get(Id id) const override;
  Result<PriorityNotifier> FindByKeyHash(std::string_view key_hash) const override;
  std::vector<PriorityNotifier> List() const override;
  Status Insert(const PriorityNotifier& n) override;
  Status Revoke(Id id, Timestamp at) override;

 private:
  Connection* c_;
};

class SqliteOutbox final : public Outbox {
 public:
  explicit SqliteOutbox(Connection* c) : c_(c) {}
  std::vector<OutboxMessage> List(const PageQuery& page, bool unsent_only) const override;
  Status Insert(const OutboxMessage& m) override;
  Status MarkSent(Id id, Timestamp at) override;

 private:
  Connection* c_;
};

class SqliteDecisions final : public Decisions {
 public:
  explicit SqliteDecisions(Connection* c) : c_(c) {}
  Result<Decision> Get(Id id) const override;
  std::vector<Decision> ListForCase(Id case_id) const override;
  std::vector<Decision> ListForAccount(Id account_id, const PageQuery& page) const override;
  std::vector<Decision> ListCreated(Timestamp from, Timestamp to, Id after_id,
                                    int limit) const override;
  Result<StatementOfReasons> GetStatement(Id id) const override;
  std::vector<StatementOfReasons> ListStatements(Timestamp from, Timestamp to, Id after_id,
                                                 int limit) const override;
  Result<Appeal> GetAppeal(Id id) const override;
  Result<Appeal> FindAppealByCase(Id case_id) const override;
  std::vector<Appeal> ListAppeals(Id decision_id) const override;
  int64_t CountStrikes(Id account_id, Timestamp since) const override;
  int64_t CountUnfounded(std::string_view notifier_key, Timestamp since) const override;
  std::vector<MisuseMeasure> ListMeasures(MisuseSubject subject,
                                          std::string_view subject_key) const override;
  std::optional<Timestamp> NotifierSuspendedUntil(std::string_view notifier_key,
                                                  Timestamp now) const override;
  int64_t CountSuspensions(MisuseSubject subject, Timestamp from, Timestamp to) const override;
  Result<StatusModeration> GetStatusModeration(Id status_id) const override;
  NotifierRecord GetNotifierRecord(std::string_view notifier_key) const override;
  std::vector<WarningPreset> ListWarningPresets() const override;
  Result<WarningPreset> GetWarningPreset(Id id) const override;
  Status Insert(const Decision& d) override;
  Status MarkReversed(Id id, Id reversed_by, Timestamp at) override;
  Status InsertStatement(const StatementOfReasons& s) override;
  Status InsertAppeal(const Appeal& a) override;
  Status ResolveAppeal(Id id, AppealState state, Id resolution_id, Timestamp at) override;
  Status AddStrike(Id account_id, Id decision_id, Timestamp at) override;
  Status RemoveStrike(Id account_id, Id decision_id) override;
  Status AddUnfounded(std::string_view notifier_key, Id decision_id, Timestamp at) override;
  Status InsertMeasure(const MisuseMeasure& m) override;
  Status SetStatusModeration(Id status_id, const StatusModeration& m) override;
  Status AddToNotifierRecord(std::string_view notifier_key, const NotifierRecord& delta) override;
  Status InsertWarningPreset(const WarningPreset& p) override;
  Status UpdateWarningPreset(const WarningPreset& p) override;
  Status DeleteWarningPreset(Id id) override;

 private:
  Connection* c_;
};

class SqliteAuditStore final : public AuditStore {
 public:
  explicit SqliteAuditStore(Connection* c) : c_(c) {}
  std::optional<AuditEntry> Head() const override;
  std::vector<AuditEntry> List(const AuditFilter& filter, const PageQuery& page) const override;
  std::vector<AuditEntry> ListBySeq(int64_t after_seq, int limit) const override;
  Result<AuditEntry> Get(Id id) const override;
  Status Append(const AuditEntry& entry) override;

 private:
  Connection* c_;
};

class SqliteTransparency final : public TransparencyQueries {
 public:
  explicit SqliteTransparency(Connection* c) : c_(c) {}
  std::vector<NoticeTally> TallyNotices(Timestamp from, Timestamp to) const override;
  std::vector<DecisionFact> ListDecisions(Timestamp from, Timestamp to) const override;
  std::vector<AppealFact> ListAppeals(Timestamp from, Timestamp to) const override;
  OpenBacklog Backlog(Timestamp now, const std::vector<double>& quantiles) const override;
  int64_t CountNotices() const override;
  ActionTotals TotalActions() const override;
  std::vector<DecidedStatusCase> ListDecidedStatusCases(Id after_case_id,
                                                        int limit) const override;
  std::map<std::string, int64_t> CountRuleHits() const override;
  std::vector<RuleDecisions> TallyRuleDecisions() const override;

 private:
  Connection* c_;
};

// "[1,2,3]": binds a variable-length id list as one parameter, used with json_each(?).
std::string IdListJson(std::span<const Id> ids);

}  // namespace stoa::storage::sqlite
