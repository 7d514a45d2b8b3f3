/* Keeps a library target valid while its folder holds no sources yet. */
typedef int netsplit_empty_translation_unit;
