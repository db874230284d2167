package config

import (
	"os"
	"strings"
	"testing"
)

// TestSiteIdentitySettings: user IDs are hashed unless a site turns it
// off; the identify key is read inline or from a file and must be long
// enough; unsigned identify is off unless a site opts in.
func TestSiteIdentitySettings(t *testing.T) {
	dir := t.TempDir()
	key := strings.Repeat("k", MinIdentifyKeyLen)
	os.WriteFile(dir+"/key", []byte(key+"\n"), 0o600)
	for _, tc := range []struct {
		name     string
		site     string
		hash     bool
		key      string
		unsigned bool
		fails    bool
	}{
		{name: "defaults", site: "{id: a, hosts: [a]}", hash: true},
		{name: "hashing turned off", site: "{id: a, hosts: [a], hash_user_id: false}", hash: false},
		{name: "hashing on", site: "{id: a, hosts: [a], hash_user_id: true}", hash: true},
		{name: "inline key", site: "{id: a, hosts: [a], identify_key: " + key + "}", hash: true, key: key},
		{name: "key file", site: "{id: a, hosts: [a], identify_key_file: " + dir + "/key}", hash: true, key: key},
		{name: "unsigned opt-in", site: "{id: a, hosts: [a], allow_unsigned_identify: true}", hash: true, unsigned: true},
		{name: "short key", site: "{id: a, hosts: [a], identify_key: short}", fails: true},
		{name: "key twice", site: "{id: a, hosts: [a], identify_key: " + key + ", identify_key_file: " + dir + "/key}", fails: true},
		{name: "missing key file", site: "{id: a, hosts: [a], identify_key_file: " + dir + "/nope}", fails: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := dir + "/c.yaml"
			os.WriteFile(path, []byte("data_dir: "+dir+"\nsites:\n  - "+tc.site+"\n"), 0o600)
			cfg, err := Load(newFlagSet(), []string{"--config", path}, func(string) string { return "" })
			if tc.fails {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s := cfg.Sites[0]
			if s.UserIDHashing != tc.hash || s.IdentifyKey != tc.key || s.AllowUnsignedIdentify != tc.unsigned {
				t.Fatalf("hash_user_id %v, key %q, unsigned %v", s.UserIDHashing, s.IdentifyKey, s.AllowUnsignedIdentify)
			}
		})
	}
}
