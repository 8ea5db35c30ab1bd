list(APPEND ORFEAS_AREA_SOURCES
  src/models/safetensors.cpp
)
