# Sourced by the Makefile's scripts: Debian packages DetoxFlow needs beyond Python, installed only if missing.

need_debian_packages() {  # $@: package names; installs those not yet installed (needs root, as on CI)
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing from Debian packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# WeasyPrint (discharge PDFs) renders text with Pango.
PDF_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
