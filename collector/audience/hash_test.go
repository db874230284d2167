package audience

import (
	"bytes"
	"strings"
	"testing"
)

// The examples come from the platforms' documentation: Google's
// normalisation rules for Customer Match and enhanced conversions (trim,
// lower case, E.164 phone numbers, dots before @gmail.com/@googlemail.com
// removed) and Meta's custom audience rules (trim and lower-case e-mail
// addresses; phone numbers as digits with the country code, no '+', no
// leading zeros: "447123456, not +447123456"). The hashes were computed
// outside Go (`printf %s VALUE | sha256sum`); the one of janedoe@gmail.com
// is also the example hash that TikTok's customer file documentation
// prints for that normalised address.
func TestPlatformNormalisation(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
		f              func(string) string
	}{
		{"google gmail dots, case and spaces", "  Jane.Doe@GMail.com ", "janedoe@gmail.com", GoogleEmail},
		{"google googlemail dots", "jane.doe@googlemail.com", "janedoe@googlemail.com", GoogleEmail},
		{"google other domains keep dots", "Jane.Doe@Example.com", "jane.doe@example.com", GoogleEmail},
		{"google not an address", "jane", "", GoogleEmail},
		{"google phone to E.164", "+1 (234) 567-8910", "+12345678910", GooglePhone},
		{"google phone 00 prefix", "0044 7123 456789", "+447123456789", GooglePhone},
		{"google national number refused", "090-1234-5678", "", GooglePhone},
		{"google phone with letters refused", "+1 234 CALL NOW", "", GooglePhone},
		{"meta e-mail keeps gmail dots", "  Jane.Doe@GMail.com ", "jane.doe@gmail.com", MetaEmail},
		{"meta phone: digits, country code, no +", "+44 7123 456", "447123456", MetaPhone},
		{"meta phone: US example", "+1-234-567-8910", "12345678910", MetaPhone},
		{"meta national number refused", "09012345678", "", MetaPhone},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.f(c.in); got != c.want {
				t.Fatalf("%q → %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestPlatformHashes(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{GoogleEmail(" Jane.Doe@GMail.com"), "d6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69"},
		{GooglePhone("+1 (234) 567-8910"), "0ff8782b13eb11cbcabdcf9550482f5c202733d7221ae2fed1ae837b134dc3ad"},
		{MetaEmail(" Jane.Doe@GMail.com"), "831f6494ad6be4fcb3a724c3d5fef22d3ceffa3c62ef3a7984e45a0ea177f982"},
		{MetaPhone("+44 7123 456"), "12613011a45be732100fe2fbfe390989778fbf1eb2052f86bb1379812768691c"},
		{MetaPhone("+1-234-567-8910"), "63640264849a87c90356129d99ea165e37aa5fabc1fea46906df1a7ca50db492"},
	} {
		if got := sha256Hex(c.in); got != c.want {
			t.Errorf("sha256(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

// TestDocumentedExamples: each platform's own examples of normalisation
// and hashing.
//
// Meta prints input, normalised form and "Expected SHA256 output" for em
// and ph in
// https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
// (the same normalisation as custom audiences' EMAIL and PHONE keys). Its
// phone input is a US number written nationally, "(650)555-1212", with the
// country code 1 to be added; ashiato does not guess a country, so the
// input here carries it ("+1 (650)555-1212").
//
// Google's "Format user data" page for Customer Match uploads through the
// Data Manager API
// (https://developers.google.com/data-manager/api/devguides/concepts/formatting)
// gives "cloudy.sanfrancisco+shopping@gmail.com → cloudysanfrancisco@gmail.com",
// "user.name+NYC@Example.com → user.name+nyc@example.com" and the US
// number "(800)555-0100" as "+18005550100", but no digests; those were
// computed outside Go:
//
//	printf %s cloudysanfrancisco@gmail.com | sha256sum  # 223ebda6…
//	printf %s user.name+nyc@example.com | sha256sum     # f109a2a6…
//	printf %s +18005550100 | sha256sum                  # fb4f73a6…
func TestDocumentedExamples(t *testing.T) {
	for _, c := range []struct {
		name, in, norm, hash string
		f                    func(string) string
	}{
		{"meta em", "John_Smith@gmail.com", "john_smith@gmail.com", "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f", MetaEmail},
		{"meta ph", "+1 (650)555-1212", "16505551212", "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176", MetaPhone},
		{"google gmail dots and plus", "cloudy.sanfrancisco+shopping@gmail.com", "cloudysanfrancisco@gmail.com", "223ebda6f6889b1494551ba902d9d381daf2f642bae055888e96343d53e9f9c4", GoogleEmail},
		{"google other domain keeps dots and plus", "user.name+NYC@Example.com", "user.name+nyc@example.com", "f109a2a632fbcea5fc82049f50beed3d8621bf9034399f437fb622222acccdac", GoogleEmail},
		{"google intermediate whitespace", " user.name +NYC@Example.com", "user.name+nyc@example.com", "f109a2a632fbcea5fc82049f50beed3d8621bf9034399f437fb622222acccdac", GoogleEmail},
		{"google phone E.164", "+1 (800)555-0100", "+18005550100", "fb4f73a6ec5fdb7077d564cdd22c3554b43ce49168550c3b12c547b78c517b30", GooglePhone},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := c.f(c.in)
			if n != c.norm || sha256Hex(n) != c.hash {
				t.Fatalf("%q → %q (sha256 %s), want %q (%s)", c.in, n, sha256Hex(n), c.norm, c.hash)
			}
		})
	}
	if got := GoogleEmail("+promo@gmail.com"); got != "" {
		t.Fatalf("a gmail address of nothing but a +tag: %q", got)
	}
}

// TestWriteFormats: each format's header, the hashed identifiers in their
// columns, the fallback to the user or visitor ID where the platform takes
// one (Meta's extern_id), people Google cannot match left out, and CSV
// formula neutralising on the IDs.
func TestWriteFormats(t *testing.T) {
	people := []Person{
		{VisitorID: "v1", UserID: "h1:u1", Email: "Jane.Doe@gmail.com", Phone: "+1 234 567 8910"},
		{VisitorID: "v2"},
		{VisitorID: "=cmd()"},
	}
	for _, c := range []struct {
		format           string
		want             string
		written, skipped int
	}{
		{FormatCSV, "visitor_id,user_id\nv1,h1:u1\nv2,\n'=cmd(),\n", 3, 0},
		{FormatGoogle, "Email,Phone\nd6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69,0ff8782b13eb11cbcabdcf9550482f5c202733d7221ae2fed1ae837b134dc3ad\n", 1, 2},
		{FormatMeta, "email,phone,extern_id\n831f6494ad6be4fcb3a724c3d5fef22d3ceffa3c62ef3a7984e45a0ea177f982,63640264849a87c90356129d99ea165e37aa5fabc1fea46906df1a7ca50db492,h1:u1\n,,v2\n,,'=cmd()\n", 3, 0},
	} {
		t.Run(c.format, func(t *testing.T) {
			var b bytes.Buffer
			var calls int
			rows, s, err := Rows(c.format, people)
			if err != nil {
				t.Fatal(err)
			}
			if err := Write(&b, rows, func(done, total uint64) { calls++ }); err != nil {
				t.Fatal(err)
			}
			if w := len(rows) - 1; b.String() != c.want || w != c.written || s != c.skipped || calls == 0 {
				t.Fatalf("got %d written %d skipped (progress %d calls):\n%s\nwant %d %d:\n%s", w, s, calls, b.String(), c.written, c.skipped, c.want)
			}
		})
	}
	if _, _, err := Rows("tiktok", people); err == nil || !strings.Contains(err.Error(), "tiktok") {
		t.Fatalf("unknown format: %v", err)
	}
}
