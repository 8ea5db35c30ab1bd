list(APPEND ORFEAS_AREA_SOURCES
  src/mesh/mc_table.cpp
  src/mesh/marching_cubes.cpp
  src/mesh/mesh_analysis.cpp
  src/mesh/mesh_internal.h
  src/mesh/mesh_postprocess.cpp
  src/mesh/mesh_reduce.cpp
  src/mesh/mesh_folds.cpp
)
