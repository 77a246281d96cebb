#include <sqlite3.h>

// sqlite3_db_config is variadic, which Swift cannot call: the hardening for untrusted SQL lives here.
// DEFENSIVE forbids writes to the schema and shadow tables; TRUSTED_SCHEMA off stops functions in
// views/triggers from running with side effects; extension loading is off at both levels.
static inline int rk_sqlite_harden(sqlite3 *db) {
    int rc = 0, out = 0;
    rc |= sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &out);
    rc |= sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &out);
    rc |= sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, &out);
    rc |= sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &out);
    rc |= sqlite3_enable_load_extension(db, 0);
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 10000000);
    sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 100000);
    sqlite3_limit(db, SQLITE_LIMIT_COMPOUND_SELECT, 100);
    return rc;
}
