// Package secquestion is a customauth challenge that asks the user's
// security question.
//
// Answers are stored only as salted argon2id hashes in the PHC string format
// (Hash, Enroll); a Store refuses anything else. Before hashing and
// checking, an answer is normalised: spaces trimmed and collapsed, letters
// case-folded. Unicode NFKC normalisation is not applied, for want of it in
// the standard library (see Normalize).
//
// Create reads the enrollment from the Store (DynamoStore in deployment,
// one strongly consistent GetItem) and sends the question; the hash travels
// to Verify in the private challenge parameters, so Verify needs no second
// read. A user that does not exist, or has no question, is asked a decoy
// question chosen by a keyed hash of the user name, and the answer is
// checked against a decoy hash at the same cost before it is refused: the
// two cases look and take the same.
package secquestion
