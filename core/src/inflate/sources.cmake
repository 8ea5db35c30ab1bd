list(APPEND ORFEAS_AREA_SOURCES
  src/inflate/signed_distance.cpp
  src/inflate/poisson_solver.cpp
  src/inflate/inflation.cpp
  src/inflate/inflate_backend.cpp
)
