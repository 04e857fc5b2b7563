-- The counters of migration 0009 are kept by the stores (storage/sqlite/safety.cc) instead of
-- triggers: a trigger makes every INSERT and UPDATE of cases and notices a statement transaction
-- with its own journal, which cost 30-60 us per statement and grew with the size of the write
-- transaction (bench/safety_bench.cc seeding a million cases took minutes instead of one).
DROP TRIGGER cases_open_insert;
DROP TRIGGER cases_open_update;
DROP TRIGGER cases_open_delete;
DROP TRIGGER notices_total;
