file(REMOVE_RECURSE
  "libnstui.a"
)
