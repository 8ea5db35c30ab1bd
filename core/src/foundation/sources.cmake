list(APPEND ORFEAS_AREA_SOURCES
  src/foundation/stage.cpp
  src/foundation/errors.cpp
  src/foundation/profiler.cpp
  src/foundation/run_context.cpp
  src/foundation/settings.cpp
  src/foundation/types.cpp
  src/foundation/version.cpp
  src/foundation/atomic_file.cpp
)
