package traits

import (
	"errors"
	"strings"
	"testing"

	"github.com/ashiato/ashiato/collector"
)

var site = &collector.Site{ID: "shop", Traits: []collector.TraitDef{
	{Name: "gender", Type: collector.TraitEnum, Values: []string{"f", "m", "x"}},
	{Name: "age_band", Type: collector.TraitEnum, Values: []string{"20-29", "30-39", "40-49"}},
	{Name: "member", Type: collector.TraitBool},
	{Name: "points", Type: collector.TraitInt},
	{Name: "email", Type: collector.TraitEmail},
	{Name: "phone", Type: collector.TraitPhone},
}}

func TestParseGood(t *testing.T) {
	csv := "\ufeffuser_id,gender,age_band,member,points,email,phone\n" +
		"u1,f,30-39,TRUE,120,jane@example.com,+81 90-1234-5678\n" +
		"u2,,20-29,false,,,\n"
	jsonl := `{"user_id":"u1","gender":"f","age_band":"30-39","member":true,"points":120,"email":"jane@example.com","phone":"+81 90-1234-5678"}` + "\n\n" +
		`{"user_id":"u2","age_band":"20-29","member":false,"gender":null}` + "\n"
	for format, in := range map[string]string{"csv": csv, "jsonl": jsonl} {
		t.Run(format, func(t *testing.T) {
			rows, err := Parse(strings.NewReader(in), format, site)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || rows[0].UserID != "u1" || rows[0].Traits["member"] != "true" || rows[0].Traits["points"] != "120" ||
				rows[0].Traits["phone"] != "+81 90-1234-5678" || len(rows[1].Traits) != 2 || rows[1].Traits["member"] != "false" {
				t.Fatalf("rows %+v", rows)
			}
		})
	}
}

// TestParseRefusesWholeFile: one bad row refuses the file, and the error
// names the line and field of every bad row.
func TestParseRefusesWholeFile(t *testing.T) {
	for _, c := range []struct {
		name, format, in string
		want             []string
	}{
		{"bad enum and int", "csv", "user_id,gender,points\nu1,f,1\nu2,female,1\nu3,m,lots\n",
			[]string{"refused, nothing imported: 2 error(s)", "line 3: gender: \"female\" is not one of f, m, x", "line 4: points: \"lots\" is not a whole number"}},
		{"undeclared column", "csv", "user_id,income\nu1,5\n", []string{"line 1: income: not a trait declared"}},
		{"no user_id column", "csv", "gender\nf\n", []string{"line 1: header: no user_id column"}},
		{"missing user ID", "csv", "user_id,gender\n,f\n", []string{"line 2: user_id: missing"}},
		{"short row", "csv", "user_id,gender\nu1\n", []string{"line 2: row: 1 fields, the header has 2"}},
		{"repeated user", "csv", "user_id,gender\nu1,f\nu2,m\nu1,x\n", []string{"line 4: user_id: user ID repeated (first on line 2)"}},
		{"bad e-mail and phone", "csv", "user_id,email,phone\nu1,jane,090-1234-5678\n",
			[]string{"line 2: email: \"jane\" is not an e-mail address", "line 2: phone: \"090-1234-5678\" is not a phone number in international form"}},
		{"multi-line CSV row counted right", "csv", "user_id,gender\n\"u\n1\",f\nu2,q\n", []string{"line 4: gender"}},
		{"jsonl not an object", "jsonl", "{\"user_id\":\"u1\"}\n[1]\n", []string{"line 2: row: not a JSON object"}},
		{"jsonl nested value", "jsonl", "{\"user_id\":\"u1\",\"gender\":{\"a\":1}}\n", []string{"line 1: gender: want a string, number or boolean"}},
		{"jsonl undeclared key", "jsonl", "{\"user_id\":\"u1\",\"religion\":\"x\"}\n", []string{"line 1: religion: not a trait declared"}},
		{"bool", "jsonl", "{\"user_id\":\"u1\",\"member\":\"maybe\"}\n", []string{"line 1: member: \"maybe\" is not true or false"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, err := Parse(strings.NewReader(c.in), c.format, site)
			var fe *FileError
			if !errors.As(err, &fe) || rows != nil {
				t.Fatalf("rows %v, err %v: want a FileError and no rows", rows, err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestParseStopsAtMaxErrors(t *testing.T) {
	in := "user_id,gender\n" + strings.Repeat("u,q\n", 100)
	_, err := Parse(strings.NewReader(in), "csv", site)
	var fe *FileError
	if !errors.As(err, &fe) || len(fe.Errs) != MaxErrors {
		t.Fatalf("err %v", err)
	}
}
