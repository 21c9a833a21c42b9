# Sourced by the experiment scripts: finds the binaries and the output directory.
#   EBPROP_BUILD  the build directory (default: ../build next to this folder)
#   OUT           where results go (default: out/experiments, relative to the current directory)
#   PYTHON        python3 used for the tables (standard library only)
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BIN="${EBPROP_BUILD:-$HERE/../build}/bin"
PYTHON="${PYTHON:-python3}"
DATA="$(cd "$HERE/../data/mnist10k" && pwd)"

need() {  # need NAME...: stop with a message unless each binary exists
  for b in "$@"; do
    if [[ ! -x "$BIN/$b" ]]; then
      echo "error: $BIN/$b not found or not executable: build it first" \
           "(cmake --build build --target $b) or set EBPROP_BUILD to the build directory" >&2
      exit 1
    fi
  done
  if ! command -v "$PYTHON" >/dev/null; then
    echo "error: $PYTHON not found (set PYTHON to a python3)" >&2
    exit 1
  fi
}

outdir() {  # outdir NAME: create and print ${OUT:-out/experiments}/NAME, as an absolute path
  local dir="${OUT:-out/experiments}/$1"
  mkdir -p "$dir"
  (cd "$dir" && pwd)
}
