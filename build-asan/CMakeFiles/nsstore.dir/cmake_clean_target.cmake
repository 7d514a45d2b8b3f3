file(REMOVE_RECURSE
  "libnsstore.a"
)
