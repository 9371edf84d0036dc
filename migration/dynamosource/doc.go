// Package dynamosource adapts a legacy user table in DynamoDB to a
// migration.Source and migration.Enumerator.
//
// The table has one item per user, with the username as its partition key
// (a string, attribute "username" by default), the password hash in a
// string attribute ("password_hash" by default) in any format package
// passhash verifies, and the profile in other attributes. String, number
// and boolean attributes become fields (numbers as written, booleans as
// "true"/"false"); sets, lists, maps, binary and null are skipped. The hash
// is never returned.
//
// Authenticate reads the item with GetItem and verifies the hash in the
// function; when there is no such user it verifies the password against a
// stand-in hash anyway, so that an unknown name takes as long as a wrong
// password and response times do not reveal who has an account. The
// stand-in has the algorithm and cost of Config.TimingHash when that is
// set, and otherwise follows the table: it is remade (passhash.Like) with
// the algorithm and cost of the last stored hash verified, so a table of
// bcrypt cost 12 hashes gets a cost 12 stand-in after its first sign-in
// (bcrypt at its default cost, 10, before that; set TimingHash to close
// that gap). A table of mixed costs makes unknown names cost what the
// last-verified user's hash costs. Lookup reads the item. Enumerate scans the table page by page,
// for the bulk import, holding one page in memory at a time.
//
// The Lambda function needs dynamodb:GetItem on the table (and
// dynamodb:Scan for the bulk import, run by an operator).
package dynamosource
