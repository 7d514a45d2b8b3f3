file(REMOVE_RECURSE
  "libnscore.a"
)
