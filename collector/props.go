package collector

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// Prop is one custom property of a hit with its value as stored: a string
// as sent, a number in its shortest decimal form, a boolean as "true" or
// "false". Valid is false for a value that is none of those (null, an
// object, an array); validation rejects the hit then.
type Prop struct {
	Key   string
	Value string
	Valid bool
}

// Props are a hit's custom properties, sorted by key. In JSON they are an
// object of string, number and boolean values; a key given twice keeps its
// last value, as a map would.
//
// A slice rather than a map: the request decoder fills it in place,
// reusing its memory from one request to the next.
type Props []Prop

// Set sets key to the stored form of a JSON value (string, float64, bool;
// see PropValue), replacing an earlier value of key and keeping p sorted.
func (p *Props) Set(key string, v any) {
	s, ok := PropValue(v)
	p.SetString(key, s, ok)
}

// SetString sets key to a value already in its stored form.
func (p *Props) SetString(key, value string, valid bool) {
	ps := *p
	i := sort.Search(len(ps), func(i int) bool { return ps[i].Key >= key })
	if i < len(ps) && ps[i].Key == key {
		ps[i].Value, ps[i].Valid = value, valid
		return
	}
	ps = append(ps, Prop{})
	copy(ps[i+1:], ps[i:])
	ps[i] = Prop{Key: key, Value: value, Valid: valid}
	*p = ps
}

// PropsFrom returns the properties of an object that encoding/json decoded
// into a map[string]any.
func PropsFrom(m map[string]any) Props {
	var p Props
	for k, v := range m {
		p.Set(k, v)
	}
	return p
}

// UnmarshalJSON decodes an object of properties as encoding/json decodes
// it into a map[string]any; null leaves no properties.
func (p *Props) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err // encoding/json adds the field's name
	}
	*p = PropsFrom(m)
	return nil
}

// PropValue renders a JSON value as a property or trait is stored; ok is
// false for types other than string, number (float64) and boolean, and for
// strings that are not valid UTF-8.
func PropValue(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, utf8.ValidString(v)
	case bool:
		return strconv.FormatBool(v), true
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "", false
		}
		return strconv.FormatFloat(v, 'f', -1, 64), true
	default:
		return "", false
	}
}
