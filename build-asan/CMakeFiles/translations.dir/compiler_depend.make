# Empty custom commands generated dependencies file for translations.
# This may be replaced when dependencies are built.
