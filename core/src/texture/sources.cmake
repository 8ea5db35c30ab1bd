list(APPEND ORFEAS_AREA_SOURCES
  src/texture/texture_image.cpp
  src/texture/texture_synthesis.cpp
)
