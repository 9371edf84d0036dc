package records_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cognitrig/cognitrig/customauth/records"
)

// The life of one record, as a one-time-code challenge drives it: Open
// finds the same live record on a retry, ClaimSend lets one caller send,
// Fail counts wrong answers, and Consume succeeds once.
func ExampleMemoryStore() {
	ctx := context.Background()
	var store records.Store = &records.MemoryStore{} // records.DynamoStore when deployed
	now := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	slot := "otp#us-east-1_EXAMPLE1#a1b2c3d4" // (user pool, user, challenge)

	nonce, err := records.NewNonce()
	if err != nil {
		log.Fatal(err)
	}
	rec, err := store.Open(ctx, slot, records.Record{Nonce: nonce, ExpiresAt: now.Add(5 * time.Minute)}, now)
	if err != nil {
		log.Fatal(err)
	}
	// A retried Create draws another nonce, but finds the live record.
	other, err := records.NewNonce()
	if err != nil {
		log.Fatal(err)
	}
	again, err := store.Open(ctx, slot, records.Record{Nonce: other, ExpiresAt: now.Add(5 * time.Minute)}, now.Add(time.Second))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("same record on retry:", again.Nonce == rec.Nonce)

	for _, at := range []time.Time{now, now.Add(time.Second), now.Add(time.Minute)} {
		send, err := store.ClaimSend(ctx, slot, rec.Nonce, at, time.Minute)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("send at +%v: %v\n", at.Sub(now), send)
	}

	burned, err := store.Fail(ctx, slot, rec.Nonce, 5)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("one wrong answer; burned:", burned)

	for range 2 {
		used, err := store.Consume(ctx, slot, rec.Nonce, now.Add(2*time.Minute), 5)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("consumed:", used)
	}

	// Output:
	// same record on retry: true
	// send at +0s: true
	// send at +1s: false
	// send at +1m0s: true
	// one wrong answer; burned: false
	// consumed: true
	// consumed: false
}

// TableDefinition is the table of DynamoStore, which the other customauth
// stores can share. TTL on records.AttrExpiresAt is enabled separately.
func ExampleTableDefinition() {
	in := records.TableDefinition("cognitrig-challenges")
	fmt.Println(aws.ToString(in.TableName), in.BillingMode)
	for _, k := range in.KeySchema {
		fmt.Println("key:", aws.ToString(k.AttributeName), k.KeyType)
	}
	fmt.Println("TTL attribute:", records.AttrExpiresAt)

	// Output:
	// cognitrig-challenges PAY_PER_REQUEST
	// key: pk HASH
	// TTL attribute: expiresAt
}
