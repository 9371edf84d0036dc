package triggers

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"unicode/utf8"
)

// The event decoder. Router.Invoke used to decode every event with
// encoding/json and encode it again; that cost as much as a bare
// aws-lambda-go handler and dropped every field the types do not know. Now
// the router answers with the received bytes, only the response value
// replaced (see splice), and decodes the event with this decoder:
//
//   - one pass over the bytes, validating as it goes (encoding/json scans the
//     whole input once more before it decodes);
//   - one copy of the payload as a string, of which every unescaped string
//     value is a substring: a plain string costs no allocation;
//   - a decoding function per event type, compiled once with reflection at
//     registration, so types that other packages extend keep working;
//   - attribute and metadata maps accept JSON booleans, numbers and null as
//     values (see Attributes).
//
// It follows encoding/json where both accept an input: keys match field
// names exactly or else without regard to case, the last of duplicate keys
// wins, null leaves strings, booleans and structs unchanged and clears
// maps, slices and pointers. Types it has no fast path for (numbers,
// map[string]any, custom unmarshalers) are handed to encoding/json with the
// value's bytes. FuzzInvoke checks the agreement.

// decodeFn decodes the JSON value at d.pos into v, which is addressable.
type decodeFn func(d *decoder, v reflect.Value) error

type decoder struct {
	buf   []byte
	str   string // string(buf): plain string values are substrings of it
	pos   int
	depth int
	top   *top // if set, where the event's top-level members are
	rec   top  // what top points to, in the decoder's own allocation
}

// maxDepth bounds nesting as encoding/json does.
const maxDepth = 10000

// decodeInto decodes the whole payload into v (a pointer's element) with fn.
func decodeInto(payload []byte, fn decodeFn, v reflect.Value, t *top) error {
	d := &decoder{buf: payload, str: string(payload)}
	if t != nil {
		d.rec = *t
		d.top = &d.rec
	}
	d.space()
	if err := fn(d, v); err != nil {
		return err
	}
	d.space()
	if d.pos != len(d.buf) {
		return d.syntax()
	}
	if t != nil {
		*t = d.rec
	}
	return nil
}

// typeError reports a JSON value of the wrong kind; field paths are added
// on the way out. It never holds the value.
type typeError struct {
	path []string // innermost first
	kind string
	off  int
}

func (e *typeError) Error() string { return "json: " + e.kind + " of the wrong type" }

func (e *typeError) field() string {
	var b strings.Builder
	for i := len(e.path) - 1; i >= 0; i-- {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.path[i])
	}
	return b.String()
}

// syntaxError reports malformed JSON at a byte offset.
type syntaxError struct{ off int }

func (e *syntaxError) Error() string { return "json: invalid syntax" }

func (d *decoder) syntax() error { return &syntaxError{off: d.pos} }

func (d *decoder) space() {
	for d.pos < len(d.buf) {
		switch d.buf[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// kindAt names the kind of the JSON value at d.pos, as encoding/json does
// in its type errors.
func (d *decoder) kindAt() string {
	if d.pos >= len(d.buf) {
		return "value"
	}
	switch c := d.buf[d.pos]; {
	case c == '"':
		return "string"
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == 't' || c == 'f':
		return "bool"
	case c == 'n':
		return "null"
	default:
		return "number"
	}
}

func (d *decoder) wrongKind() error {
	kind := d.kindAt()
	if err := d.skip(); err != nil {
		return err
	}
	return &typeError{kind: kind, off: d.pos}
}

// literal consumes lit (true, false, null) at d.pos.
func (d *decoder) literal(lit string) error {
	if len(d.buf)-d.pos < len(lit) || string(d.buf[d.pos:d.pos+len(lit)]) != lit {
		return d.syntax()
	}
	d.pos += len(lit)
	return nil
}

// isNull consumes a null at d.pos and reports whether there was one.
func (d *decoder) isNull() (bool, error) {
	if d.pos < len(d.buf) && d.buf[d.pos] == 'n' {
		return true, d.literal("null")
	}
	return false, nil
}

// rawString scans the string at d.pos. It returns the contents' byte range
// and whether they are plain: no escapes and valid UTF-8, so that the
// contents are the value.
func (d *decoder) rawString() (start, end int, plain bool, err error) {
	if d.pos >= len(d.buf) || d.buf[d.pos] != '"' {
		return 0, 0, false, d.syntax()
	}
	start = d.pos + 1
	plain = true
	ascii := true
	for i := start; i < len(d.buf); i++ {
		c := d.buf[i]
		switch {
		case c == '"':
			d.pos = i + 1
			if !ascii && !utf8.Valid(d.buf[start:i]) {
				plain = false // encoding/json substitutes U+FFFD
			}
			return start, i, plain, nil
		case c == '\\':
			plain = false
			i++
			if i >= len(d.buf) {
				d.pos = i
				return 0, 0, false, d.syntax()
			}
			switch d.buf[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(d.buf) || !isHex(d.buf[i+1]) || !isHex(d.buf[i+2]) || !isHex(d.buf[i+3]) || !isHex(d.buf[i+4]) {
					d.pos = i
					return 0, 0, false, d.syntax()
				}
				i += 4
			default:
				d.pos = i
				return 0, 0, false, d.syntax()
			}
		case c < 0x20:
			d.pos = i
			return 0, 0, false, d.syntax()
		case c >= 0x80:
			ascii = false
		}
	}
	d.pos = len(d.buf)
	return 0, 0, false, d.syntax()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// stringValue decodes the string at d.pos.
func (d *decoder) stringValue() (string, error) {
	start, end, plain, err := d.rawString()
	if err != nil {
		return "", err
	}
	if plain {
		return d.str[start:end], nil
	}
	// Escapes and invalid UTF-8 are rare in events; encoding/json is the
	// reference for them.
	var s string
	if err := json.Unmarshal(d.buf[start-1:end+1], &s); err != nil {
		return "", &syntaxError{off: start}
	}
	return s, nil
}

// number scans a JSON number at d.pos and returns its text.
func (d *decoder) number() (string, error) {
	start := d.pos
	i := d.pos
	if i < len(d.buf) && d.buf[i] == '-' {
		i++
	}
	switch {
	case i < len(d.buf) && d.buf[i] == '0':
		i++
	case i < len(d.buf) && '1' <= d.buf[i] && d.buf[i] <= '9':
		for i < len(d.buf) && '0' <= d.buf[i] && d.buf[i] <= '9' {
			i++
		}
	default:
		d.pos = i
		return "", d.syntax()
	}
	if i < len(d.buf) && d.buf[i] == '.' {
		i++
		if i >= len(d.buf) || d.buf[i] < '0' || d.buf[i] > '9' {
			d.pos = i
			return "", d.syntax()
		}
		for i < len(d.buf) && '0' <= d.buf[i] && d.buf[i] <= '9' {
			i++
		}
	}
	if i < len(d.buf) && (d.buf[i] == 'e' || d.buf[i] == 'E') {
		i++
		if i < len(d.buf) && (d.buf[i] == '+' || d.buf[i] == '-') {
			i++
		}
		if i >= len(d.buf) || d.buf[i] < '0' || d.buf[i] > '9' {
			d.pos = i
			return "", d.syntax()
		}
		for i < len(d.buf) && '0' <= d.buf[i] && d.buf[i] <= '9' {
			i++
		}
	}
	d.pos = i
	return d.str[start:i], nil
}

// skip validates and skips the JSON value at d.pos.
func (d *decoder) skip() error {
	if d.pos >= len(d.buf) {
		return d.syntax()
	}
	switch c := d.buf[d.pos]; {
	case c == '"':
		_, _, _, err := d.rawString()
		return err
	case c == '{':
		empty, err := d.enter('}')
		for more := !empty; more && err == nil; more, err = d.next('}') {
			if _, _, _, err = d.objKey(); err == nil {
				err = d.skip()
			}
			if err != nil {
				return err
			}
		}
		return err
	case c == '[':
		empty, err := d.enter(']')
		for more := !empty; more && err == nil; more, err = d.next(']') {
			if err = d.skip(); err != nil {
				return err
			}
		}
		return err
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		_, err := d.number()
		return err
	default:
		return d.syntax()
	}
}

// enter consumes the open bracket of an object or array at d.pos and
// reports whether it is empty (the close consumed too). Members and
// elements are walked with objKey and next, without callbacks: a closure
// per object would cost an allocation.
func (d *decoder) enter(close byte) (empty bool, err error) {
	if d.depth++; d.depth > maxDepth {
		return false, d.syntax()
	}
	d.pos++
	d.space()
	if d.pos < len(d.buf) && d.buf[d.pos] == close {
		d.pos++
		d.depth--
		return true, nil
	}
	return false, nil
}

// next consumes what follows a member or element: a comma (more is true)
// or the close.
func (d *decoder) next(close byte) (more bool, err error) {
	d.space()
	if d.pos >= len(d.buf) {
		return false, d.syntax()
	}
	switch d.buf[d.pos] {
	case ',':
		d.pos++
		d.space()
		return true, nil
	case close:
		d.pos++
		d.depth--
		return false, nil
	}
	return false, d.syntax()
}

// objKey reads a member's key and the colon; d.pos is then at the value.
func (d *decoder) objKey() (ks, ke int, plain bool, err error) {
	ks, ke, plain, err = d.rawString()
	if err != nil {
		return
	}
	d.space()
	if d.pos >= len(d.buf) || d.buf[d.pos] != ':' {
		return 0, 0, false, d.syntax()
	}
	d.pos++
	d.space()
	return
}

// key returns the unescaped key in [ks, ke).
func (d *decoder) key(ks, ke int, plain bool) string {
	if plain {
		return d.str[ks:ke]
	}
	var s string
	if json.Unmarshal(d.buf[ks-1:ke+1], &s) != nil {
		return "" // rawString validated the key; not reached
	}
	return s
}

// ---- compiled decoders ----

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	stringSliceType     = reflect.TypeFor[[]string]()
)

// lenientMapTypes are the map types whose values may be any JSON scalar
// (see Attributes); they implement json.Unmarshaler for encoding/json's
// sake, and the decoder takes its own fast path for them.
func lenientMap(t reflect.Type) bool {
	switch t {
	case reflect.TypeFor[Attributes](), reflect.TypeFor[Metadata](), reflect.TypeFor[SecretMap](),
		reflect.TypeFor[map[string]string]():
		return true
	}
	return false
}

// compileDecoder returns the decoding function of t. building guards
// recursive types.
func compileDecoder(t reflect.Type, building map[reflect.Type]*decodeFn) decodeFn {
	if p, ok := building[t]; ok {
		return func(d *decoder, v reflect.Value) error { return (*p)(d, v) }
	}
	var fn decodeFn
	building[t] = &fn
	fn = compileDecoder1(t, building)
	return fn
}

func compileDecoder1(t reflect.Type, building map[reflect.Type]*decodeFn) decodeFn {
	if lenientMap(t) {
		return decodeStringMap
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(unmarshalerType) || pt.Implements(textUnmarshalerType) ||
		t.Implements(unmarshalerType) || t.Implements(textUnmarshalerType) {
		return decodeWithJSON
	}
	switch t.Kind() {
	case reflect.String:
		return decodeString
	case reflect.Bool:
		return decodeBool
	case reflect.Struct:
		return compileStruct(t, building)
	case reflect.Pointer:
		elem := compileDecoder(t.Elem(), building)
		return func(d *decoder, v reflect.Value) error {
			if null, err := d.isNull(); null || err != nil {
				if err == nil {
					v.SetZero()
				}
				return err
			}
			if v.IsNil() {
				v.Set(reflect.New(t.Elem()))
			}
			return elem(d, v.Elem())
		}
	case reflect.Slice:
		if t == stringSliceType {
			return decodeStringSlice
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return decodeWithJSON // base64, as encoding/json does
		}
		elem := compileDecoder(t.Elem(), building)
		return func(d *decoder, v reflect.Value) error {
			if null, err := d.isNull(); null || err != nil {
				if err == nil {
					v.SetZero()
				}
				return err
			}
			if d.pos >= len(d.buf) || d.buf[d.pos] != '[' {
				return d.wrongKind()
			}
			v.SetLen(0)
			if v.IsNil() {
				v.Set(reflect.MakeSlice(t, 0, 0))
			}
			empty, err := d.enter(']')
			for i, more := 0, !empty; more && err == nil; more, err = d.next(']') {
				if i >= v.Cap() {
					v.Grow(1)
				}
				v.SetLen(i + 1)
				e := v.Index(i)
				e.SetZero()
				i++
				if err = elem(d, e); err != nil {
					return err
				}
			}
			return err
		}
	}
	// Numbers, interfaces, maps of other values, arrays: encoding/json
	// decodes the value's bytes.
	return decodeWithJSON
}

type fieldDecoder struct {
	name  string
	index []int
	fn    decodeFn
}

func compileStruct(t reflect.Type, building map[reflect.Type]*decodeFn) decodeFn {
	fields := structFields(t)
	decs := make([]fieldDecoder, len(fields))
	for i, f := range fields {
		decs[i] = fieldDecoder{name: f.name, index: f.index, fn: compileDecoder(f.typ, building)}
	}
	return func(d *decoder, v reflect.Value) error {
		if null, err := d.isNull(); null || err != nil {
			return err // null leaves a struct unchanged
		}
		if d.pos >= len(d.buf) || d.buf[d.pos] != '{' {
			return d.wrongKind()
		}
		empty, err := d.enter('}')
		// The event object itself: record where its members are.
		rec := d.top
		if d.depth != 1 {
			rec = nil
		}
		for more := !empty; more && err == nil; more, err = d.next('}') {
			ks, ke, plain, kerr := d.objKey()
			if kerr != nil {
				return kerr
			}
			f := matchField(decs, d.buf[ks:ke], plain, d, ks, ke)
			if rec != nil {
				rec.members++
				if f != nil && f.name == "response" {
					rec.respKeys++
					rec.respExact = plain && string(d.buf[ks:ke]) == "response"
					rec.respStart = d.pos
				}
			}
			if f == nil {
				if err = d.skip(); err != nil {
					return err
				}
				continue
			}
			fv := v
			for _, x := range f.index[:len(f.index)-1] {
				fv = fv.Field(x)
				if fv.Kind() == reflect.Pointer {
					if fv.IsNil() {
						fv.Set(reflect.New(fv.Type().Elem()))
					}
					fv = fv.Elem()
				}
			}
			fv = fv.Field(f.index[len(f.index)-1])
			if err = f.fn(d, fv); err != nil {
				if te, ok := err.(*typeError); ok {
					te.path = append(te.path, f.name)
				}
				return err
			}
			if rec != nil && f.name == "response" {
				rec.respEnd = d.pos
			}
		}
		if rec != nil && err == nil {
			rec.closing = d.pos - 1
		}
		return err
	}
}

// matchField finds the field a key names: the exact name first, then, as
// encoding/json does, a case-insensitive match.
func matchField(decs []fieldDecoder, raw []byte, plain bool, d *decoder, ks, ke int) *fieldDecoder {
	key := raw
	if !plain {
		key = []byte(d.key(ks, ke, false))
	}
	for i := range decs {
		if string(key) == decs[i].name {
			return &decs[i]
		}
	}
	for i := range decs {
		if foldEqual(key, decs[i].name) {
			return &decs[i]
		}
	}
	return nil
}

// foldEqual is bytes.EqualFold, with an allocation-free ASCII path.
func foldEqual(key []byte, name string) bool {
	if len(key) == len(name) {
		ascii := true
		for i := 0; i < len(key); i++ {
			a, b := key[i], name[i]
			if a >= 0x80 {
				ascii = false
				break
			}
			if a == b {
				continue
			}
			if 'A' <= a && a <= 'Z' {
				a += 'a' - 'A'
			}
			if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
			if a != b {
				return false
			}
		}
		if ascii {
			return true
		}
	}
	for _, c := range key {
		if c >= 0x80 {
			return bytes.EqualFold(key, []byte(name))
		}
	}
	return false
}

type structField struct {
	name  string
	index []int
	typ   reflect.Type
	depth int
}

// structFields lists the JSON fields of t as encoding/json sees them:
// exported fields by their tag name, embedded structs without a tag
// promoted; of fields with the same name, the shallowest wins.
func structFields(t reflect.Type) []structField {
	var out []structField
	var walk func(t reflect.Type, index []int, depth int)
	walk = func(t reflect.Type, index []int, depth int) {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), index...), i)
			ft := sf.Type
			if sf.Anonymous && name == "" {
				et := ft
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if et.Kind() == reflect.Struct {
					walk(et, idx, depth+1)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			out = append(out, structField{name: name, index: idx, typ: ft, depth: depth})
		}
	}
	walk(t, nil, 0)
	// Keep the shallowest field of each name (our event types have no ties).
	kept := out[:0]
	for _, f := range out {
		dup := false
		for j, k := range kept {
			if k.name == f.name {
				dup = true
				if f.depth < k.depth {
					kept[j] = f
				}
			}
		}
		if !dup {
			kept = append(kept, f)
		}
	}
	return kept
}

func decodeString(d *decoder, v reflect.Value) error {
	if d.pos < len(d.buf) && d.buf[d.pos] == '"' {
		s, err := d.stringValue()
		if err != nil {
			return err
		}
		*(*string)(v.Addr().UnsafePointer()) = s
		return nil
	}
	if null, err := d.isNull(); null || err != nil {
		return err
	}
	return d.wrongKind()
}

func decodeBool(d *decoder, v reflect.Value) error {
	if d.pos < len(d.buf) {
		switch d.buf[d.pos] {
		case 't':
			if err := d.literal("true"); err != nil {
				return err
			}
			*(*bool)(v.Addr().UnsafePointer()) = true
			return nil
		case 'f':
			if err := d.literal("false"); err != nil {
				return err
			}
			*(*bool)(v.Addr().UnsafePointer()) = false
			return nil
		case 'n':
			return d.literal("null")
		}
	}
	return d.wrongKind()
}

func decodeStringSlice(d *decoder, v reflect.Value) error {
	p := (*[]string)(v.Addr().UnsafePointer())
	if null, err := d.isNull(); null || err != nil {
		if err == nil {
			*p = nil
		}
		return err
	}
	if d.pos >= len(d.buf) || d.buf[d.pos] != '[' {
		return d.wrongKind()
	}
	// Collect into a small array first, so that the slice is allocated
	// once, at its final length.
	var small [16]string
	s := small[:0]
	empty, err := d.enter(']')
	for more := !empty; more && err == nil; more, err = d.next(']') {
		if d.pos < len(d.buf) && d.buf[d.pos] == '"' {
			v, serr := d.stringValue()
			if serr != nil {
				return serr
			}
			s = append(s, v)
			continue
		}
		null, nerr := d.isNull()
		if nerr != nil {
			return nerr
		}
		if !null {
			return d.wrongKind()
		}
		s = append(s, "") // encoding/json: a null element is the zero value
	}
	if err != nil {
		return err
	}
	if cap(*p) >= len(s) && *p != nil {
		*p = append((*p)[:0], s...)
	} else {
		*p = append(make([]string, 0, len(s)), s...)
	}
	return nil
}

// decodeStringMap decodes an object of scalars into a map[string]string
// kind, by the rules documented on Attributes.
func decodeStringMap(d *decoder, v reflect.Value) error {
	p := (*map[string]string)(v.Addr().UnsafePointer())
	return d.stringMap(p)
}

func (d *decoder) stringMap(p *map[string]string) error {
	if null, err := d.isNull(); null || err != nil {
		if err == nil {
			*p = nil
		}
		return err
	}
	if d.pos >= len(d.buf) || d.buf[d.pos] != '{' {
		return d.wrongKind()
	}
	m := *p
	if m == nil {
		m = make(map[string]string)
		*p = m
	}
	empty, err := d.enter('}')
	for more := !empty; more && err == nil; more, err = d.next('}') {
		ks, ke, plain, kerr := d.objKey()
		if kerr != nil {
			return kerr
		}
		k := d.key(ks, ke, plain)
		val, verr := d.scalarText()
		if verr != nil {
			// The error names the map, not the key: keys of client
			// metadata are the client's, and errors may reach it.
			return verr
		}
		m[k] = val
	}
	return err
}

// scalarText decodes a scalar as the text an attribute map keeps: strings
// as they are, true and false as "true" and "false", numbers as their JSON
// text, null as "".
func (d *decoder) scalarText() (string, error) {
	if d.pos >= len(d.buf) {
		return "", d.syntax()
	}
	switch c := d.buf[d.pos]; {
	case c == '"':
		return d.stringValue()
	case c == 't':
		return "true", d.literal("true")
	case c == 'f':
		return "false", d.literal("false")
	case c == 'n':
		return "", d.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	}
	return "", d.wrongKind()
}

// decodeWithJSON hands the value's bytes to encoding/json.
func decodeWithJSON(d *decoder, v reflect.Value) error {
	start := d.pos
	if err := d.skip(); err != nil {
		return err
	}
	if err := json.Unmarshal(d.buf[start:d.pos], v.Addr().Interface()); err != nil {
		var typ *json.UnmarshalTypeError
		if ok := asTypeError(err, &typ); ok {
			kind, _, _ := strings.Cut(typ.Value, " ")
			te := &typeError{kind: kind, off: start + int(typ.Offset)}
			if typ.Field != "" {
				te.path = []string{typ.Field}
			}
			return te
		}
		return &syntaxError{off: start}
	}
	return nil
}

func asTypeError(err error, target **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*target = t
	}
	return ok
}

// unmarshalStringMap is the UnmarshalJSON of the lenient map types.
func unmarshalStringMap(b []byte, p *map[string]string) error {
	d := decoder{buf: b, str: string(b)}
	d.space()
	err := d.stringMap(p)
	if err == nil {
		d.space()
		if d.pos != len(d.buf) {
			err = d.syntax()
		}
	}
	switch e := err.(type) {
	case nil:
		return nil
	case *typeError:
		return &json.UnmarshalTypeError{Value: e.kind, Type: reflect.TypeFor[string](), Offset: int64(e.off), Field: e.field()}
	default:
		return &json.UnmarshalTypeError{Value: "value", Type: reflect.TypeFor[map[string]string](), Offset: int64(d.pos)}
	}
}

// asDecodeError turns an error of the decoder into a DecodeError.
func asDecodeError(source TriggerSource, err error) error {
	switch e := err.(type) {
	case *typeError:
		field := e.field()
		if field == "" {
			field = "(top level)"
		}
		return &DecodeError{Source: source, Offset: int64(e.off), Field: field, Kind: e.kind}
	case *syntaxError:
		return &DecodeError{Source: source, Offset: int64(e.off)}
	default:
		return &DecodeError{Source: source, Offset: -1}
	}
}

// codec decodes the events of one trigger and finds their response.
type codec struct {
	decode    func(payload []byte, t *top) (Event, error)
	respIndex int // index of the Response field, or -1
}

// newCodec compiles the decoder of event type E.
func newCodec[E any, P interface {
	*E
	Event
}]() *codec {
	t := reflect.TypeFor[E]()
	fn := compileDecoder(t, map[reflect.Type]*decodeFn{})
	c := &codec{respIndex: -1}
	if f, ok := t.FieldByName("Response"); ok && len(f.Index) == 1 {
		c.respIndex = f.Index[0]
	}
	c.decode = func(payload []byte, t *top) (Event, error) {
		ev := P(new(E))
		if err := decodeInto(payload, fn, reflect.ValueOf(ev).Elem(), t); err != nil {
			return nil, err
		}
		return ev, nil
	}
	return c
}

// response returns the event's (addressable) Response field; an invalid
// Value if the type has none.
func (c *codec) response(ev Event) reflect.Value {
	if c.respIndex < 0 {
		return reflect.Value{}
	}
	return reflect.ValueOf(ev).Elem().Field(c.respIndex)
}

// isEmptyValue reports whether v holds nothing a handler could have set:
// zero scalars, nil pointers and interfaces, empty maps and slices, structs
// of such. An invalid Value is empty.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Invalid:
		return true
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if !isEmptyValue(v.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Map, reflect.Slice:
		// nil only: an empty, non-nil map or slice is a value on the wire
		// ({} or [], not null), which a handler may set on purpose.
		return v.IsNil()
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	default:
		return v.IsZero()
	}
}
