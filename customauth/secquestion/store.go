package secquestion

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognitrig/cognitrig/internal/ddbstore"
	"github.com/cognitrig/cognitrig/triggers"
)

// Enrollment is a user's security question and the hash of the answer.
type Enrollment struct {
	Question   string
	AnswerHash string // PHC argon2id, from Hash
}

// ErrNotEnrolled is returned by Store.Get for a user without a question.
var ErrNotEnrolled = errors.New("secquestion: the user has no security question")

// Store keeps enrollments by user pool and user. The user is the key that
// customauth.UserKey gives: the user's sub.
type Store interface {
	Get(ctx context.Context, userPoolID, user string) (Enrollment, error)
	// Put stores e, replacing any earlier enrollment. It refuses an
	// AnswerHash that is not an argon2id hash, so that no answer is ever
	// stored in plain text.
	Put(ctx context.Context, userPoolID, user string, e Enrollment) error
	Delete(ctx context.Context, userPoolID, user string) error
}

// Enroll hashes answer and stores the user's question.
func Enroll(ctx context.Context, s Store, userPoolID, user, question string, answer triggers.Secret, p Params) error {
	hash, err := Hash(answer, p)
	if err != nil {
		return err
	}
	return s.Put(ctx, userPoolID, user, Enrollment{Question: question, AnswerHash: hash})
}

func checkEnrollment(userPoolID, user string, e Enrollment) error {
	if err := checkUser(userPoolID, user); err != nil {
		return err
	}
	if e.Question == "" || len(e.Question) > 1024 {
		return fmt.Errorf("secquestion: question must have 1 to 1024 bytes, has %d", len(e.Question))
	}
	if _, _, _, err := decodeHash(e.AnswerHash); err != nil {
		return fmt.Errorf("secquestion: refusing to store an answer that is not an argon2id hash (use Hash or Enroll): %w", err)
	}
	return nil
}

func checkUser(userPoolID, user string) error {
	if userPoolID == "" || user == "" {
		return errors.New("secquestion: user pool id and user are required")
	}
	return nil
}

// MemoryStore is a Store in process memory, for tests and local runs. The
// zero value is ready to use.
type MemoryStore struct {
	mu sync.Mutex
	m  map[string]Enrollment
}

// Get implements Store.
func (s *MemoryStore) Get(_ context.Context, userPoolID, user string) (Enrollment, error) {
	if err := checkUser(userPoolID, user); err != nil {
		return Enrollment{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[itemKey(userPoolID, user)]
	if !ok {
		return Enrollment{}, ErrNotEnrolled
	}
	return e, nil
}

// Put implements Store.
func (s *MemoryStore) Put(_ context.Context, userPoolID, user string, e Enrollment) error {
	if err := checkEnrollment(userPoolID, user, e); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]Enrollment{}
	}
	s.m[itemKey(userPoolID, user)] = e
	return nil
}

// Delete implements Store.
func (s *MemoryStore) Delete(_ context.Context, userPoolID, user string) error {
	if err := checkUser(userPoolID, user); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, itemKey(userPoolID, user))
	return nil
}

// itemKey is the partition key of an enrollment: "sq#" + pool + "#" + user,
// distinct from the keys of the other customauth stores that may share the
// table.
func itemKey(userPoolID, user string) string { return "sq#" + userPoolID + "#" + user }

// DynamoAPI is the part of the DynamoDB client that DynamoStore uses
// (GetItem, PutItem and DeleteItem); *dynamodb.Client implements it.
type DynamoAPI interface {
	ddbstore.Getter
	ddbstore.Putter
	ddbstore.Deleter
}

// DynamoStore is a Store in a DynamoDB table with a string partition key
// "pk" (records.TableDefinition makes one; the table can be shared). An
// item holds "question", "answerHash" and "updatedAt" (Unix seconds); it
// has no expiry.
type DynamoStore struct {
	t ddbstore.Table[DynamoAPI]
	// Now is the clock for updatedAt; default time.Now.
	Now func() time.Time
}

// NewDynamoStore returns a DynamoStore on table. A nil client or an empty
// table name is an error.
func NewDynamoStore(client DynamoAPI, table string) (*DynamoStore, error) {
	t, err := ddbstore.Open("secquestion: NewDynamoStore", client, table)
	if err != nil {
		return nil, err
	}
	return &DynamoStore{t: t}, nil
}

func (d *DynamoStore) key(userPoolID, user string) ddbstore.Item {
	return ddbstore.Item{"pk": ddbstore.S(itemKey(userPoolID, user))}
}

// Get implements Store with a strongly consistent read.
func (d *DynamoStore) Get(ctx context.Context, userPoolID, user string) (Enrollment, error) {
	if err := checkUser(userPoolID, user); err != nil {
		return Enrollment{}, err
	}
	item, err := ddbstore.Get(ctx, d.t, "get enrollment", d.key(userPoolID, user))
	if err != nil {
		return Enrollment{}, err
	}
	if item == nil {
		return Enrollment{}, ErrNotEnrolled
	}
	q, ok1 := item["question"].(*types.AttributeValueMemberS)
	h, ok2 := item["answerHash"].(*types.AttributeValueMemberS)
	if !ok1 || !ok2 {
		return Enrollment{}, d.t.Errorf("enrollment item lacks question or answerHash")
	}
	return Enrollment{Question: q.Value, AnswerHash: h.Value}, nil
}

// Put implements Store.
func (d *DynamoStore) Put(ctx context.Context, userPoolID, user string, e Enrollment) error {
	if err := checkEnrollment(userPoolID, user, e); err != nil {
		return err
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	item := d.key(userPoolID, user)
	item["question"] = ddbstore.S(e.Question)
	item["answerHash"] = ddbstore.S(e.AnswerHash)
	item["updatedAt"] = ddbstore.N(now().Unix())
	_, err := d.t.API.PutItem(ctx, &dynamodb.PutItemInput{TableName: d.t.TableName(), Item: item})
	return d.t.Wrap("put enrollment", err)
}

// Delete implements Store.
func (d *DynamoStore) Delete(ctx context.Context, userPoolID, user string) error {
	if err := checkUser(userPoolID, user); err != nil {
		return err
	}
	_, err := d.t.API.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: d.t.TableName(), Key: d.key(userPoolID, user)})
	return d.t.Wrap("delete enrollment", err)
}
