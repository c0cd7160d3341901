#!/usr/bin/env bash
# install.sh: set up agentctl from this checkout. Idempotent; safe to run again; never prompts.
#
#   ./install.sh [--prefix DIR] [--skip-codex] [--mcp] [--demo]
#
# Steps: check node/npm/tmux, install npm dependencies and build (both skipped when nothing
# changed since the last run), link `agentctl` into PREFIX/bin, `agentctl init`, write the
# spark/deep/review Codex profile files (when codex is installed), optionally register the MCP
# server with Claude Code and run the demo.
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
install:   --skip-codex   do not write $CODEX_HOME/spark|deep|review.config.toml nor move legacy [profiles.*] tables
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
# Each step is skipped when its inputs are unchanged since it last succeeded (a stamp holds
# their digest), so running install.sh again takes seconds, not minutes.
cd "$ROOT"
digest() { sha256sum | cut -c1-64; }
DEPS_STAMP="node_modules/.agentctl-install"
DEPS_DIGEST="$( { node -p 'process.version'; cat package.json package-lock.json 2>/dev/null; } | digest)"
if [[ -f "$DEPS_STAMP" && "$(cat "$DEPS_STAMP")" == "$DEPS_DIGEST" ]]; then
  say "dependencies up to date (npm ci skipped)"
else
  # npm's own progress and warnings go to the terminal, each line prefixed
  say "installing dependencies (npm ci): the first install downloads packages from the npm registry and needs network access"
  if [[ -f package-lock.json ]]; then npm_cmd=(npm ci); else npm_cmd=(npm install); fi
  if ! "${npm_cmd[@]}" --no-audit --no-fund --loglevel=http </dev/null 2>&1 | sed -u 's/^/install:   /'; then
    die "${npm_cmd[*]} failed (see its output above); check your network access to the npm registry, then run ./install.sh again"
  fi
  printf '%s\n' "$DEPS_DIGEST" >"$DEPS_STAMP"
fi
BUILD_STAMP="dist/.agentctl-build"
BUILD_DIGEST="$( { printf '%s\n' "$DEPS_DIGEST"; find src scripts tsconfig.json -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; } | digest)"
if [[ -f "$BUILD_STAMP" && "$(cat "$BUILD_STAMP")" == "$BUILD_DIGEST" && -f dist/cli.js ]]; then
  say "build up to date (npm run build skipped)"
else
  say "building (npm run build)"
  run_quiet "npm run build" npm run build
  printf '%s\n' "$BUILD_DIGEST" >"$BUILD_STAMP"
fi
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
# A new tmux pane starts a login shell, whose PATH comes from the profile files, not from this
# shell: a bin directory only this shell has would leave new panes without agentctl.
LOGIN_SHELL="${SHELL:-/bin/sh}"
[[ -x "$LOGIN_SHELL" ]] || LOGIN_SHELL=/bin/sh
if LOGIN_PATH="$(env -i HOME="$HOME" USER="${USER:-}" LOGNAME="${LOGNAME:-}" SHELL="$LOGIN_SHELL" TERM=dumb \
  timeout 10 "$LOGIN_SHELL" -l -c 'printf "%s" "$PATH"' </dev/null 2>/dev/null)"; then
  case ":$LOGIN_PATH:" in
    *":$BIN_DIR:"*) ;;
    *) warn "$BIN_DIR is not on the PATH of a login shell ($LOGIN_SHELL -l), so new tmux panes will not find agentctl; add to ~/.profile (or your shell's login file): export PATH=\"$BIN_DIR:\$PATH\"" ;;
  esac
fi

# ---- 5. workspace and Codex profiles ---------------------------------------------------------
# Codex >= 0.134 reads `codex -p NAME` from $CODEX_HOME/NAME.config.toml and refuses -p while
# config.toml holds a legacy [profiles.NAME] table: `init --codex-profiles` writes the missing
# profile files from config/codex/ and moves legacy tables out (after a timestamped backup).
# Without codex, ~/.codex is left alone.
INIT_ARGS=(init)
if ((SKIP_CODEX)); then
  say "skipping codex profiles (--skip-codex)"
elif ! command -v codex >/dev/null 2>&1; then
  say "codex not installed: codex profiles not written (run ./install.sh again after installing codex)"
else
  INIT_ARGS+=(--codex-profiles)
fi
rc=0
INIT_OUT="$("$AGENTCTL_BIN" "${INIT_ARGS[@]}" </dev/null 2>&1)" || rc=$?
if ((rc == 0)); then
  printf '%s\n' "$INIT_OUT" | sed 's/^/install: /'
elif ((rc == 1)); then
  # the workspace is ready; a codex profile could not be set up: the lines say what to do
  printf '%s\n' "$INIT_OUT" | sed 's/^/install: /' >&2
  warn "codex profiles: see above; your codex config was left unchanged where a problem is named"
else
  printf '%s\n' "$INIT_OUT" | sed 's/^/install:   /' >&2
  die "agentctl ${INIT_ARGS[*]} failed"
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
