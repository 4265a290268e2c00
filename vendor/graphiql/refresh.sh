#!/usr/bin/env bash
# Refresh the GraphiQL page's browser bundles from the npm registry.
#
# package.json pins the releases and package-lock.json their exact tarballs; `npm ci`
# installs exactly those here (node_modules/ is never committed), then the files the page
# loads are copied, with their licences, into service/web/static/vendor/<name>-<version>/.
# The version is part of the path so those files can be cached as immutable. The page
# finds the directories through vendor.json, written last.
#
# To move to a newer release: edit the pins in package.json, run `npm install
# --package-lock-only --ignore-scripts` here, then this script, then the tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$(cd "$here/../.." && pwd)/service/web/static/vendor"
cd "$here"

npm ci --ignore-scripts --no-audit --no-fund

version() { node -p "require('./node_modules/$1/package.json').version"; }

# The bundles' last line points at a source map that is not shipped (it is bigger than
# the bundle); without the pointer no browser asks for a file that does not exist.
copy() {  # copy PACKAGE FILE...: into <package>-<version>/, with the package's LICENSE
  local package="$1" target
  shift
  target="$dest/$package-$(version "$package")"
  mkdir -p "$target"
  cp "node_modules/$package/LICENSE" "$target/LICENSE"
  for file in "$@"; do
    sed -e '/^\/\/# sourceMappingURL=/d' -e 's|/\*# sourceMappingURL=[^*]*\*/||' \
      "node_modules/$package/$file" >"$target/$(basename "$file")"
  done
}

mkdir -p "$dest"
rm -rf "$dest"/graphiql-* "$dest"/graphql-* "$dest"/react-* "$dest/vendor.json"
copy react umd/react.production.min.js
copy react-dom umd/react-dom.production.min.js
copy graphiql graphiql.min.js graphiql.min.css
# graphiql.min.js bundles graphql-js: its licence travels with it.
mkdir -p "$dest/graphql-$(version graphql)"
cp node_modules/graphql/LICENSE "$dest/graphql-$(version graphql)/LICENSE"

cat >"$dest/vendor.json" <<JSON
{
  "graphiql": "$(version graphiql)",
  "graphql": "$(version graphql)",
  "react": "$(version react)",
  "react-dom": "$(version react-dom)"
}
JSON
echo "vendored into $dest:"
(cd "$dest" && find . -type f | sort)
