list(APPEND ORFEAS_AREA_SOURCES
  src/discovery/model_discovery.cpp
)
