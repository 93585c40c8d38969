#!/usr/bin/env bash
# Sourced by run.sh and baseline.sh: lets git reach an https remote with the job's token, given to git in
# its environment (never on a command line, never stored in .git/config), so that a checkout with
# `persist-credentials: false` can still fetch the data branch and push baselines.
git_auth() {
  local url host basic
  url="$(git remote get-url "$1")"
  if [[ -n "${GITHUB_TOKEN:-}" && "$url" == https://* ]]; then
    host="${url#https://}"; host="${host%%/*}"; host="${host##*@}"
    basic="$(printf 'x-access-token:%s' "$GITHUB_TOKEN" | base64 | tr -d '\n')"
    echo "::add-mask::$basic"
    export GIT_CONFIG_COUNT=1
    export GIT_CONFIG_KEY_0="http.https://$host/.extraheader"
    export GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $basic"
  fi
}
