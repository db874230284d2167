package privacy

import "testing"

func TestCSVCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"/pricing", "/pricing"},
		{"=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"},
		{"+1+2", "'+1+2"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"a=b", "a=b"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := CSVCell(tc.in); got != tc.want {
				t.Fatalf("CSVCell(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
