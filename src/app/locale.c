/*
 * locale.c — gettext set-up: setlocale from the environment, then the text
 * domain "netsplit" bound to the build tree's locale/ when netsplit runs
 * from its build directory, else to the installed locale directory.
 */
#include "app/app.h"

#include "config.h"

#include <libintl.h>
#include <locale.h>
#include <sys/stat.h>

void app_locale_init(void)
{
	setlocale(LC_ALL, "");
	struct stat st;
	const char *dir = NETSPLIT_LOCALEDIR;
	if (stat(NETSPLIT_BUILD_DIR "/locale", &st) == 0 && S_ISDIR(st.st_mode) &&
	    stat(NETSPLIT_LOCALEDIR, &st) != 0)
		dir = NETSPLIT_BUILD_DIR "/locale";
	bindtextdomain("netsplit", dir);
	bind_textdomain_codeset("netsplit", "UTF-8");
	textdomain("netsplit");
}
