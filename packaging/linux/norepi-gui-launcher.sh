#!/bin/sh
# norepi-gui launcher (Linux): /usr/bin/norepi-gui links here. It finds the bundle next to itself (also when the
# .deb is unpacked elsewhere or the .tar.gz is extracted anywhere) and makes sure the program runs in a UTF-8
# locale: with LANG unset or C/POSIX, Qt warns and switches to C.UTF-8 by itself, so set that up front. A user's own
# UTF-8 locale (en_GB.UTF-8, de_DE.UTF-8, ...) is kept.
here=$(dirname "$(readlink -f "$0")")
case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
    *.[Uu][Tt][Ff]-8 | *.[Uu][Tt][Ff]8 | *.[Uu][Tt][Ff]-8@* | *.[Uu][Tt][Ff]8@*) ;;
    *)
        LANG=C.UTF-8
        export LANG
        unset LC_ALL LC_CTYPE
        ;;
esac
exec "$here/norepi-gui" "$@"
