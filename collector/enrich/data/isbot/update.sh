#!/usr/bin/env bash
# update.sh VERSION — regenerate the embedded isbot data from the npm
# package isbot@VERSION (`make bot-patterns` runs it):
#   patterns.json                     isbot's pattern list, as the package exports it
#   NOTICE.md                         version, integrity and licence of that data
#   ../../testdata/isbot-verdicts.txt isbot's own verdict on every line of the
#                                     test corpora, which the Go tests compare
#                                     the Go matcher (isbot.go) against
# Needs node and npm. Then run: go test ./collector/enrich/ -run 'Isbot|Bot'
set -euo pipefail
version=${1:?usage: update.sh VERSION}
here=$(cd "$(dirname "$0")" && pwd)
testdata=$(cd "$here/../../testdata" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "isbot@$version" >/dev/null && tar xzf isbot-*.tgz)
pkg="$tmp/package"
integrity=$(cd "$tmp" && npm view "isbot@$version" dist.integrity)
license=$(node -p "require('$pkg/package.json').license")
[[ $license == Unlicense ]] || { echo "isbot@$version is licensed $license, not Unlicense: check before embedding" >&2; exit 1; }

node - "$pkg" "$here/patterns.json" "$testdata" <<'JS'
const [pkg, out, testdata] = process.argv.slice(2);
const fs = require("fs");
const { isbot, list } = require(pkg);
fs.writeFileSync(out, JSON.stringify(list, null, 1) + "\n");
const corpora = ["user-agents.txt", "crawler-user-agents.txt"];
let text = "# isbot's verdict per line of each corpus (1 = bot), written by data/isbot/update.sh\n";
for (const name of corpora) {
  const lines = fs.readFileSync(`${testdata}/${name}`, "utf8").split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  text += `${name}\t${lines.map((l) => (isbot(l) ? "1" : "0")).join("")}\n`;
}
fs.writeFileSync(`${testdata}/isbot-verdicts.txt`, text);
JS

cat >"$here/NOTICE.md" <<MD
# isbot patterns

\`patterns.json\` is the pattern list of the npm package
[isbot](https://github.com/omrilotan/isbot) version **$version**
(\`list\` export; integrity \`$integrity\`), by Omri Lotan and the isbot
contributors, released under **The Unlicense** (public domain). Data only, the
patterns kept as published; \`collector/enrich/isbot.go\` rewrites the two
JavaScript lookaround shapes they use into Go regexp syntax.

Regenerate with \`make bot-patterns\` (optionally \`ISBOT_VERSION=x.y.z\`),
which runs \`update.sh\`: it also refreshes
\`collector/enrich/testdata/isbot-verdicts.txt\`, isbot's own verdicts on the
test corpora, so that the tests prove the Go matcher answers as isbot does.
MD
echo "isbot@$version: $(node -p "require('$here/patterns.json').length") patterns"
