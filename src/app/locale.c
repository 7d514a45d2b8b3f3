/*
 * locale.c — gettext set-up: setlocale from the environment, then the text
 * domain "netsplit" bound to the build tree's locale/ when netsplit runs
 * from its build directory, else to the installed locale directory
 * (util/paths.h).
 */
#include "app/app.h"

#include "util/paths.h"

#include <libintl.h>
#include <locale.h>

void app_locale_init(void)
{
	setlocale(LC_ALL, "");
	bindtextdomain("netsplit", paths_get()->locale);
	bind_textdomain_codeset("netsplit", "UTF-8");
	textdomain("netsplit");
}
