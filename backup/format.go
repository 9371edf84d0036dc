package backup

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Format and Version identify a backup file; they are in its header line.
const (
	Format  = "cognitrig-backup"
	Version = 1
)

// Record types: the "type" field of each line.
const (
	TypeHeader = "header"
	TypeGroup  = "group"
	TypeUser   = "user"
	TypeFooter = "footer"
)

// Header is the first line of a backup.
type Header struct {
	Type           string    `json:"type"` // TypeHeader
	Format         string    `json:"format"`
	Version        int       `json:"version"`
	UserPoolID     string    `json:"userPoolId"`
	CreatedAt      time.Time `json:"createdAt"`
	EstimatedUsers int64     `json:"estimatedUsers,omitempty"`
	// WithMFA says whether each user's MFA settings were read
	// (AdminGetUser); without it User.MFA is empty.
	WithMFA bool `json:"withMfa"`
}

// Group is a group of the pool, one line each, before the users.
type Group struct {
	Type        string `json:"type"` // TypeGroup
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Precedence  *int32 `json:"precedence,omitempty"`
	RoleARN     string `json:"roleArn,omitempty"`
}

// User is one user of the pool.
type User struct {
	Type       string            `json:"type"` // TypeUser
	Username   string            `json:"username"`
	Attributes map[string]string `json:"attributes"`
	Status     string            `json:"status"` // CONFIRMED, UNCONFIRMED, RESET_REQUIRED, FORCE_CHANGE_PASSWORD, EXTERNAL_PROVIDER, ...
	Enabled    bool              `json:"enabled"`
	CreatedAt  time.Time         `json:"createdAt"`
	ModifiedAt time.Time         `json:"modifiedAt"`
	Groups     []string          `json:"groups"` // sorted
	MFA        MFA               `json:"mfa"`
}

// MFA is a user's MFA settings.
type MFA struct {
	// Preferred is the preferred method (SMS_MFA, SOFTWARE_TOKEN_MFA,
	// EMAIL_OTP), empty if none.
	Preferred string `json:"preferred,omitempty"`
	// Enabled lists the methods turned on, as AdminGetUser's
	// UserMFASettingList does.
	Enabled []string `json:"enabled,omitempty"`
	// SMSOptions is the legacy MFAOptions list (delivery medium and
	// attribute), which ListUsers returns.
	SMSOptions []MFAOption `json:"smsOptions,omitempty"`
}

// MFAOption is one legacy MFA option.
type MFAOption struct {
	DeliveryMedium string `json:"deliveryMedium"`
	AttributeName  string `json:"attributeName"`
}

// Footer is the last line of a complete backup; a file without it was cut
// short, and Read refuses it.
type Footer struct {
	Type   string `json:"type"` // TypeFooter
	Users  int    `json:"users"`
	Groups int    `json:"groups"`
}

// Writer writes a backup as JSON Lines.
type Writer struct {
	bw     *bufio.Writer
	enc    *json.Encoder
	users  int
	groups int
}

// NewWriter returns a Writer on w. Call Close to write the footer and flush.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	if w == nil {
		return nil, errors.New("backup: NewWriter: the writer is nil; give the file to write the backup to")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	h.Type, h.Format, h.Version = TypeHeader, Format, Version
	if err := enc.Encode(h); err != nil {
		return nil, fmt.Errorf("backup: write header: %w", err)
	}
	return &Writer{bw: bw, enc: enc}, nil
}

// Group writes a group line.
func (w *Writer) Group(g Group) error {
	g.Type = TypeGroup
	w.groups++
	return w.enc.Encode(g)
}

// User writes a user line.
func (w *Writer) User(u User) error {
	u.Type = TypeUser
	if u.Attributes == nil {
		u.Attributes = map[string]string{}
	}
	if u.Groups == nil {
		u.Groups = []string{}
	}
	w.users++
	return w.enc.Encode(u)
}

// Close writes the footer and flushes. It does not close the underlying
// writer.
func (w *Writer) Close() error {
	if err := w.enc.Encode(Footer{Type: TypeFooter, Users: w.users, Groups: w.groups}); err != nil {
		return err
	}
	return w.bw.Flush()
}

// Backup is a whole backup in memory. For a pool too large to hold, read
// it one user at a time with a Reader.
type Backup struct {
	Header Header
	Groups []Group
	Users  []User
}

// Read reads a whole backup into memory and checks that it is whole: a
// header of a known format and version, then groups, then users, then a
// footer whose counts match. Errors give the line number.
func Read(r io.Reader) (*Backup, error) {
	br, err := NewReader(r)
	if err != nil {
		return nil, err
	}
	b := &Backup{Header: br.Header(), Groups: br.Groups()}
	for {
		u, err := br.Next()
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
		b.Users = append(b.Users, u)
	}
}

// Reader reads a backup one user at a time, so that memory does not grow
// with the pool. NewReader reads the header and the groups (which come
// first, and are few); Next returns the users. The checks are Read's: the
// last Next, which returns io.EOF, is the one that knows the file is whole,
// so act on what came before only after it.
type Reader struct {
	sc     *bufio.Scanner
	line   int
	header Header
	groups []Group
	users  int
	// pending is a line read past the groups: the first user, or the footer.
	pending []byte
	done    bool
}

// NewReader reads the header and the groups of the backup in r.
func NewReader(r io.Reader) (*Reader, error) {
	if r == nil {
		return nil, errors.New("backup: NewReader: the reader is nil; give the backup file")
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	br := &Reader{sc: sc}
	raw, kind, err := br.next()
	if err != nil {
		if err == io.EOF {
			return nil, errors.New("backup: the file is empty")
		}
		return nil, err
	}
	if br.line != 1 || kind != TypeHeader {
		return nil, fmt.Errorf("backup: line %d is not a %s header; is this a cognitrig backup?", br.line, Format)
	}
	if err := json.Unmarshal(raw, &br.header); err != nil {
		return nil, fmt.Errorf("backup: line %d: %w", br.line, err)
	}
	if br.header.Format != Format || br.header.Version != Version {
		return nil, fmt.Errorf("backup: format %q version %d; this program reads %s version %d", br.header.Format, br.header.Version, Format, Version)
	}
	for {
		raw, kind, err := br.next()
		if err == io.EOF {
			return nil, br.cutShort()
		}
		if err != nil {
			return nil, err
		}
		if kind != TypeGroup {
			// The first user or the footer: Next takes it from here.
			br.pending = append([]byte(nil), raw...)
			return br, nil
		}
		var g Group
		if err := json.Unmarshal(raw, &g); err != nil {
			return nil, fmt.Errorf("backup: line %d: %w", br.line, err)
		}
		if g.Name == "" {
			return nil, fmt.Errorf("backup: line %d: a group without a name", br.line)
		}
		br.groups = append(br.groups, g)
	}
}

// Header returns the backup's header.
func (r *Reader) Header() Header { return r.header }

// Groups returns the backup's groups.
func (r *Reader) Groups() []Group { return r.groups }

// Next returns the next user. After the last one it checks the footer and
// returns io.EOF if the backup is whole, or an error that says what is
// wrong with it.
func (r *Reader) Next() (User, error) {
	if r.done {
		return User{}, io.EOF
	}
	raw, kind := r.pending, ""
	var err error
	if raw != nil {
		r.pending = nil
		kind, err = recordType(raw, r.line)
	} else {
		raw, kind, err = r.next()
	}
	if err == io.EOF {
		return User{}, r.cutShort()
	}
	if err != nil {
		return User{}, err
	}
	switch kind {
	case TypeUser:
		var u User
		if err := json.Unmarshal(raw, &u); err != nil {
			return User{}, fmt.Errorf("backup: line %d: %w", r.line, err)
		}
		if u.Username == "" {
			return User{}, fmt.Errorf("backup: line %d: a user without a username", r.line)
		}
		r.users++
		return u, nil
	case TypeFooter:
		return User{}, r.footer(raw)
	case TypeGroup:
		return User{}, fmt.Errorf("backup: line %d: a group after the users", r.line)
	case TypeHeader:
		return User{}, fmt.Errorf("backup: line %d: a second header", r.line)
	}
	return User{}, fmt.Errorf("backup: line %d: unknown record type %q", r.line, kind)
}

// footer checks the footer in raw, and that nothing follows it.
func (r *Reader) footer(raw []byte) error {
	var f Footer
	if err := json.Unmarshal(raw, &f); err != nil {
		return fmt.Errorf("backup: line %d: %w", r.line, err)
	}
	if _, _, err := r.next(); err != io.EOF {
		if err == nil {
			err = fmt.Errorf("backup: line %d: data after the footer", r.line)
		}
		return err
	}
	if f.Users != r.users || f.Groups != len(r.groups) {
		return fmt.Errorf("backup: the footer counts %d users and %d groups, the file has %d and %d: the file is damaged",
			f.Users, f.Groups, r.users, len(r.groups))
	}
	r.done = true
	return io.EOF
}

func (r *Reader) cutShort() error {
	return fmt.Errorf("backup: no footer after line %d: the backup was cut short; take it again", r.line)
}

// next returns the next non-empty line and its record type, or io.EOF.
// The line is valid until the next call.
func (r *Reader) next() ([]byte, string, error) {
	for r.sc.Scan() {
		r.line++
		raw := r.sc.Bytes()
		if len(raw) == 0 {
			continue
		}
		kind, err := recordType(raw, r.line)
		return raw, kind, err
	}
	if err := r.sc.Err(); err != nil {
		return nil, "", fmt.Errorf("backup: read line %d: %w", r.line+1, err)
	}
	return nil, "", io.EOF
}

func recordType(raw []byte, line int) (string, error) {
	var kind struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &kind); err != nil {
		return "", fmt.Errorf("backup: line %d: not a JSON object: %w", line, err)
	}
	return kind.Type, nil
}
