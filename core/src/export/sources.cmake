list(APPEND ORFEAS_AREA_SOURCES
  src/export/memory_io_system.cpp
  src/export/assimp_scene.cpp
  src/export/exporter.cpp
)
