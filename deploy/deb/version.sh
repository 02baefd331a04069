#!/bin/sh
# Prints a Debian version for the checked-out tree, from git describe:
#   a tag vX.Y.Z on HEAD        -> X.Y.Z
#   N commits after vX.Y.Z      -> X.Y.Z+git<date>.<time>.<sha>
#   no tag                      -> 0.0~git<date>.<time>.<sha>
# <date>.<time> is the commit's (UTC, YYYYMMDD.HHMMSS), so versions grow
# with the history even within a day (the sha alone would not order
# them); a tree with uncommitted changes adds ".dirty". Debian versions may not hold
# '-' in a native version, nor '_'.
set -eu
sha=$(git rev-parse --short=7 HEAD)
date=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y%m%d.%H%M%S HEAD)
dirty=
git diff --quiet HEAD -- 2>/dev/null || dirty=.dirty
if tag=$(git describe --tags --abbrev=0 --match 'v[0-9]*' HEAD 2>/dev/null); then
	base=$(printf '%s' "${tag#v}" | tr -c 'A-Za-z0-9.+~\n' '~')
	if [ "$(git rev-list --count "$tag"..HEAD)" = 0 ] && [ -z "$dirty" ]; then
		echo "$base"
	else
		echo "$base+git$date.$sha$dirty"
	fi
else
	echo "0.0~git$date.$sha$dirty"
fi
