#!/usr/bin/env bash
# install.sh: set up agentctl from this checkout. Idempotent; safe to run again; never prompts.
#
#   ./install.sh [--prefix DIR] [--skip-codex] [--mcp] [--demo]
#
# Steps: check node/npm/tmux, install npm dependencies, build, link `agentctl` into
# PREFIX/bin, `agentctl init`, add the spark/deep/review Codex profiles, optionally register the
# MCP server with Claude Code and run the demo.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
START_DIR="$PWD"
PREFIX="${AGENTCTL_PREFIX:-}"
SKIP_CODEX=0
DEMO=0
MCP=0
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19

say() { printf 'install: %s\n' "$*"; }
warn() { printf 'install: warning: %s\n' "$*" >&2; }
die() { printf 'install: error: %s\n' "$*" >&2; exit 1; }
join() { local IFS=,; printf '%s' "$*" | sed 's/,/, /g'; }

usage() {
  cat <<'EOF'
install: usage: ./install.sh [--prefix DIR] [--skip-codex] [--mcp] [--demo] [--help]
install:   --prefix DIR   link agentctl into DIR/bin (env AGENTCTL_PREFIX; default /usr/local as root, else ~/.local)
install:   --skip-codex   do not add the spark/deep/review profiles to $CODEX_HOME/config.toml
install:   --mcp          register agentctl's MCP server with Claude Code (claude mcp add, user scope)
install:   --demo         run `agentctl demo` at the end
install:   --help         show this help
EOF
}

while (($#)); do
  case "$1" in
    --prefix) (($# >= 2)) || die "--prefix needs a directory"; PREFIX="$2"; shift 2 ;;
    --prefix=*) PREFIX="${1#--prefix=}"; shift ;;
    --skip-codex) SKIP_CODEX=1; shift ;;
    --demo) DEMO=1; shift ;;
    --mcp) MCP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

# Run a command quietly; on failure show its output (each line prefixed) and stop.
run_quiet() {
  local what="$1" log
  shift
  log="$(mktemp)"
  if ! "$@" </dev/null >"$log" 2>&1; then
    say "$what failed; its output:" >&2
    sed 's/^/install:   /' "$log" >&2
    rm -f "$log"
    die "$what failed (command: $*)"
  fi
  rm -f "$log"
}

# ---- 1. node and npm -----------------------------------------------------------------------
command -v node >/dev/null 2>&1 ||
  die "node not found; install Node.js >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR (https://nodejs.org or your package manager)"
NODE_VERSION="$(node -p 'process.versions.node' 2>/dev/null)" || die "cannot run node"
IFS=. read -r NODE_MAJOR NODE_MINOR _ <<<"$NODE_VERSION"
if ! [[ "$NODE_MAJOR" =~ ^[0-9]+$ && "$NODE_MINOR" =~ ^[0-9]+$ ]] ||
  ((NODE_MAJOR < NODE_MIN_MAJOR || (NODE_MAJOR == NODE_MIN_MAJOR && NODE_MINOR < NODE_MIN_MINOR))); then
  die "node $NODE_VERSION is too old; agentctl needs Node.js >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR"
fi
command -v npm >/dev/null 2>&1 || die "npm not found; install npm (it ships with Node.js)"
say "node $NODE_VERSION, npm $(npm --version 2>/dev/null || echo '?')"

# ---- 2. tmux -------------------------------------------------------------------------------
if ! command -v tmux >/dev/null 2>&1; then
  if [[ "$(id -u)" -eq 0 && -f /etc/debian_version ]] && command -v apt-get >/dev/null 2>&1; then
    say "tmux not found; installing it with apt-get"
    run_quiet "apt-get update" env DEBIAN_FRONTEND=noninteractive apt-get update
    run_quiet "apt-get install tmux" env DEBIAN_FRONTEND=noninteractive apt-get install -y tmux
  else
    if command -v apt-get >/dev/null 2>&1; then
      die "tmux not found; install it with: sudo apt-get update && sudo apt-get install -y tmux"
    elif command -v brew >/dev/null 2>&1; then
      die "tmux not found; install it with: brew install tmux"
    elif command -v dnf >/dev/null 2>&1; then
      die "tmux not found; install it with: sudo dnf install -y tmux"
    else
      die "tmux not found; install tmux (>= 3.0) with your package manager"
    fi
  fi
fi
say "$(tmux -V)"

# ---- 3. dependencies and build ---------------------------------------------------------------
cd "$ROOT"
if [[ -f package-lock.json ]]; then
  say "installing dependencies (npm ci)"
  run_quiet "npm ci" npm ci --no-audit --no-fund --loglevel=error
else
  say "installing dependencies (npm install)"
  run_quiet "npm install" npm install --no-audit --no-fund --loglevel=error
fi
say "building (npm run build)"
run_quiet "npm run build" npm run build
AGENTCTL_BIN="$ROOT/bin/agentctl"
[[ -f "$AGENTCTL_BIN" ]] || die "$AGENTCTL_BIN is missing after the build"
[[ -x "$AGENTCTL_BIN" ]] || chmod +x "$AGENTCTL_BIN"

# ---- 4. agentctl on PATH -----------------------------------------------------------------------
if [[ -z "$PREFIX" ]]; then
  if [[ "$(id -u)" -eq 0 ]] && { [[ -w /usr/local/bin ]] || { [[ ! -e /usr/local/bin ]] && [[ -w /usr/local ]]; }; }; then
    PREFIX=/usr/local
  else
    PREFIX="$HOME/.local"
  fi
fi
[[ "$PREFIX" == /* ]] || PREFIX="$START_DIR/$PREFIX"
PREFIX="${PREFIX%/}"
BIN_DIR="$PREFIX/bin"
LINK="$BIN_DIR/agentctl"
mkdir -p "$BIN_DIR" || die "cannot create $BIN_DIR (use --prefix DIR)"
if [[ -L "$LINK" ]]; then
  if [[ "$(readlink -f "$LINK")" == "$(readlink -f "$AGENTCTL_BIN")" ]]; then
    say "$LINK already links to $AGENTCTL_BIN"
  else
    ln -sfn "$AGENTCTL_BIN" "$LINK"
    say "relinked $LINK -> $AGENTCTL_BIN (it pointed elsewhere)"
  fi
elif [[ -e "$LINK" ]]; then
  die "$LINK exists and is not a symlink; remove it or choose another --prefix"
else
  ln -s "$AGENTCTL_BIN" "$LINK" || die "cannot create $LINK (use --prefix DIR)"
  say "linked $LINK -> $AGENTCTL_BIN"
fi
case ":$PATH:" in
  *":$BIN_DIR:"*)
    FOUND="$(command -v agentctl 2>/dev/null || true)"
    if [[ -n "$FOUND" && "$FOUND" != "$LINK" ]]; then
      warn "another agentctl comes first on PATH: $FOUND"
    fi
    ;;
  *) warn "$BIN_DIR is not on PATH; add it (e.g. to ~/.bashrc): export PATH=\"$BIN_DIR:\$PATH\"" ;;
esac

# ---- 5. workspace ------------------------------------------------------------------------------
INIT_OUT="$("$AGENTCTL_BIN" init </dev/null 2>&1)" || {
  printf '%s\n' "$INIT_OUT" | sed 's/^/install:   /' >&2
  die "agentctl init failed"
}
say "workspace ready: ${AI_ORCH_HOME:-$HOME/.ai-orch} (agentctl init)"

# ---- 6. Codex profiles -------------------------------------------------------------------------
PROFILES_TEMPLATE="$ROOT/config/codex-profiles.toml"
PROFILE_NAMES=(spark deep review)

# True when the TOML file defines [profiles.NAME] (or a sub-table of it).
has_profile() {
  local file="$1" name="$2"
  [[ -f "$file" ]] || return 1
  grep -Eq "^[[:space:]]*\[[[:space:]]*profiles[[:space:]]*\.[[:space:]]*(${name}|\"${name}\"|'${name}')[[:space:]]*(\]|\.)" "$file"
}

# Print one [profiles.NAME] table of the template, with the comment lines right above it.
template_table() {
  awk -v want="[profiles.$1]" '
    { line[NR] = $0 }
    END {
      start = 0
      for (i = 1; i <= NR; i++) { l = line[i]; gsub(/[ \t]+$/, "", l); if (l == want) { start = i; break } }
      if (!start) exit 1
      end = NR
      for (i = start + 1; i <= NR; i++) if (line[i] ~ /^[ \t]*\[/) { end = i - 1; break }
      while (end > start && (line[end] ~ /^[ \t]*$/ || line[end] ~ /^[ \t]*#/)) end--
      first = start
      while (first > 1 && line[first - 1] ~ /^[ \t]*#/) first--
      for (i = first; i <= end; i++) print line[i]
    }' "$PROFILES_TEMPLATE"
}

# True when python3 with tomllib can parse the file (no python3/tomllib: unknown, returns 2).
toml_ok() {
  command -v python3 >/dev/null 2>&1 || return 2
  python3 - "$1" <<'PY' >/dev/null 2>&1
import sys
try:
    import tomllib
except ImportError:
    sys.exit(2)
with open(sys.argv[1], "rb") as f:
    tomllib.load(f)
PY
}

setup_codex_profiles() {
  local codex_home="${CODEX_HOME:-$HOME/.codex}"
  local config="$codex_home/config.toml" backup="" name valid_before=1 rc
  local missing=() present=()
  [[ -f "$PROFILES_TEMPLATE" ]] || die "template missing: $PROFILES_TEMPLATE"
  for name in "${PROFILE_NAMES[@]}"; do
    if has_profile "$config" "$name"; then present+=("$name"); else missing+=("$name"); fi
  done
  if ((${#missing[@]} == 0)); then
    say "codex profiles spark, deep, review already in $config; left unchanged"
    return 0
  fi
  mkdir -p "$codex_home" || die "cannot create $codex_home"
  if [[ -f "$config" ]]; then
    toml_ok "$config" && valid_before=0 || valid_before=$?
    backup="$config.bak.$(date +%Y%m%d-%H%M%S)"
    [[ ! -e "$backup" ]] || backup="$backup.$$"
    cp -p "$config" "$backup" || die "cannot back up $config"
    say "backed up $config to $backup"
    # Make sure what we append starts on a fresh line, after a blank one.
    if [[ -s "$config" ]]; then
      [[ -z "$(tail -c 1 "$config")" ]] || printf '\n' >>"$config"
      printf '\n' >>"$config"
    fi
  fi
  if ((${#present[@]} == 0)); then
    cat "$PROFILES_TEMPLATE" >>"$config"
  else
    {
      printf '# agentctl: Codex profiles added by install.sh (already defined above: %s).\n' "$(join "${present[@]}")"
      printf '# Template and notes: %s\n' "$PROFILES_TEMPLATE"
      for name in "${missing[@]}"; do
        printf '\n'
        template_table "$name" || die "profile $name not found in $PROFILES_TEMPLATE"
      done
    } >>"$config"
  fi
  # If the file parsed before and does not now, undo the change.
  if ((valid_before == 0)); then
    rc=0
    toml_ok "$config" || rc=$?
    if ((rc == 1)); then
      cp -p "$backup" "$config" && rm -f "$backup"
      warn "appending the profiles would make $config invalid TOML (profiles defined in another form?); left it unchanged; add the tables from $PROFILES_TEMPLATE by hand"
      return 0
    fi
  fi
  say "added codex profiles $(join "${missing[@]}") to $config (adjust their model names if needed)"
}

if ((SKIP_CODEX)); then
  say "skipping codex profiles (--skip-codex)"
else
  setup_codex_profiles
fi

# ---- 7. agent CLIs (informational) ---------------------------------------------------------------
for cli in codex claude gemini; do
  if ! command -v "$cli" >/dev/null 2>&1; then
    case "$cli" in
      codex) say "note: codex not on PATH (spark/deep/review profiles need it): npm install -g @openai/codex" ;;
      claude) say "note: claude not on PATH (bin/orch and the claude profiles need it): npm install -g @anthropic-ai/claude-code" ;;
      gemini) say "note: gemini not on PATH (the gemini profile needs it): npm install -g @google/gemini-cli" ;;
    esac
  fi
done

# ---- 8. MCP server for Claude Code --------------------------------------------------------------
if ((MCP)); then
  if ! command -v claude >/dev/null 2>&1; then
    warn "--mcp: claude not on PATH; install Claude Code, then run: agentctl mcp install-claude --scope user"
  elif MCP_OUT="$("$AGENTCTL_BIN" mcp install-claude --scope user </dev/null 2>&1)"; then
    printf '%s\n' "$MCP_OUT" | sed 's/^/install:   /'
    say "registered the agentctl MCP server with Claude Code (user scope)"
  elif printf '%s' "$MCP_OUT" | grep -q 'already exists'; then
    say "agentctl MCP server already registered with Claude Code; left unchanged"
  else
    printf '%s\n' "$MCP_OUT" | sed 's/^/install:   /' >&2
    warn "could not register the MCP server; see above, or run: agentctl mcp install-claude --dry-run"
  fi
fi

# ---- 9. demo -------------------------------------------------------------------------------------
if ((DEMO)); then
  say "running agentctl demo"
  "$AGENTCTL_BIN" demo </dev/null || die "agentctl demo failed (try: agentctl doctor)"
fi

# ---- 10. next steps -------------------------------------------------------------------------------
say "done. Next steps:"
say "  register a project:      agentctl add-project myapp ~/src/myapp --default-profile spark"
say "  start the orchestrator: $ROOT/bin/orch ~/src/myapp   (Claude Code in tmux session \"ai\")"
say "  check the setup:        agentctl doctor"
say "  run the tests:          cd $ROOT && npm test"
