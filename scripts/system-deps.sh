#!/usr/bin/env bash
# Debian packages Vitrina needs beyond Python: fonts that cover every locale, raqm/FriBiDi for
# right-to-left shaping, Tesseract for text verification, exiftool (an independent XMP/IPTC reader
# the provenance tests check published files with), the PostgreSQL server (the store's tests start a
# throwaway one; SQLite stays the default store), Chromium (the review app's browser tests).
# Installs them with apt when run as root; otherwise says what is missing and what will not work
# without it.
set -u
PKGS=(libraqm0 libfribidi0 fonts-noto-core fonts-noto-cjk
      tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-ara tesseract-ocr-jpn
      tesseract-ocr-spa tesseract-ocr-chi-sim tesseract-ocr-kor tesseract-ocr-heb tesseract-ocr-hin tesseract-ocr-script-deva
      libimage-exiftool-perl postgresql chromium)

command -v dpkg-query >/dev/null 2>&1 || { echo "note: not a Debian system; install Noto fonts (core + CJK), libraqm, Tesseract, exiftool, PostgreSQL and Chromium yourself." >&2; exit 0; }
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/vitrina-apt.log 2>&1; then
    apt-get update -qq >>/tmp/vitrina-apt.log 2>&1
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >>/tmp/vitrina-apt.log 2>&1 \
      || { echo "apt-get failed; see /tmp/vitrina-apt.log" >&2; exit 1; }
  fi
  exit 0
fi

cat >&2 <<MSG
Missing Debian packages: ${missing[*]}
  Install them with:  sudo apt-get install ${missing[*]}
  Without them: fonts-noto-cjk / fonts-noto-core -> brands that name Noto CJK, Hebrew or Devanagari
  fonts fail to load (ja/zh/ko/he/hi banners); libraqm0/libfribidi0 -> Arabic and Hebrew cannot be
  shaped right-to-left; tesseract-ocr* -> rendered-text verification by OCR is unavailable;
  libimage-exiftool-perl -> the provenance tests that read XMP with exiftool are skipped;
  postgresql -> the store's PostgreSQL tests are skipped (SQLite is the default store and needs nothing);
  chromium -> the review app's browser tests are skipped (the app itself needs no browser).
MSG
exit 0
