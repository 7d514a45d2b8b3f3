# Translations: po/LANG.po compiled to locale/LANG/LC_MESSAGES/netsplit.mo in
# the build tree (found there when netsplit runs uninstalled) and installed.
# `cmake --build build --target pot` regenerates po/netsplit.pot from the
# sources, with _() and N_() as keywords.
file(GLOB NETSPLIT_PO_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/po/*.po)
set(NETSPLIT_MO_FILES "")
if(MSGFMT)
  foreach(po IN LISTS NETSPLIT_PO_FILES)
    get_filename_component(lang ${po} NAME_WE)
    set(mo ${CMAKE_BINARY_DIR}/locale/${lang}/LC_MESSAGES/netsplit.mo)
    add_custom_command(OUTPUT ${mo}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/locale/${lang}/LC_MESSAGES
      COMMAND ${MSGFMT} --check -o ${mo} ${po}
      DEPENDS ${po} VERBATIM)
    list(APPEND NETSPLIT_MO_FILES ${mo})
    install(FILES ${mo} DESTINATION ${CMAKE_INSTALL_LOCALEDIR}/${lang}/LC_MESSAGES)
  endforeach()
endif()
add_custom_target(translations ALL DEPENDS ${NETSPLIT_MO_FILES})

if(XGETTEXT)
  add_custom_target(pot
    COMMAND sh -c "find src -name '*.c' -o -name '*.h' | LC_ALL=C sort > ${CMAKE_BINARY_DIR}/potfiles"
    COMMAND ${XGETTEXT} --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=P_:1,2
            --add-comments=TRANSLATORS: --package-name=netsplit
            --package-version=${PROJECT_VERSION}
            --files-from=${CMAKE_BINARY_DIR}/potfiles -o po/netsplit.pot
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    COMMENT "Regenerating po/netsplit.pot" VERBATIM)
endif()
