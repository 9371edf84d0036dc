// Package importcsv writes legacy users who have not migrated yet as a
// Cognito user-import CSV file, for the bulk import that ends a lazy
// migration (CreateUserImportJob, or "Import users" in the console).
//
// The header is the pool's own, from GetCSVHeader (PoolHeader), or the
// documented default for a pool without custom attributes (DefaultHeader).
// Every row has a value for every column: cognito:username is the legacy
// username, cognito:mfa_enabled and the *_verified columns are "true" or
// "false", other columns are the user's attributes after the Mapping, or
// empty. Attributes without a column are left out and reported in Stats.
//
// Export streams: it reads the legacy users one page at a time from an
// Enumerator, asks the Tracker which of each batch already migrated, and
// writes the rest with encoding/csv, so memory stays flat however many users
// there are. Imported users start in RESET_REQUIRED: they need a verified
// email or phone number to receive the reset code, and Stats counts those
// who have neither.
package importcsv
