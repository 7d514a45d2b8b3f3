/*
 * i18n.h — gettext for every layer. `_("text")` translates now; `N_("text")`
 * marks a string in a static table for translation at the point of use
 * (call _() on it when it is shown). The text domain is "netsplit"; main()
 * binds it (see src/app/locale.c).
 */
#ifndef NETSPLIT_I18N_H
#define NETSPLIT_I18N_H

#include <libintl.h>

#define _(s)             gettext(s)
#define N_(s)            (s)
#define P_(one, many, n) ngettext(one, many, n)

#endif
