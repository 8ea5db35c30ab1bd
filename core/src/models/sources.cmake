list(APPEND ORFEAS_AREA_SOURCES
  src/models/safetensors.cpp
  src/models/safetensors_writer.cpp
  src/models/model_config.cpp
  src/models/parameter_manifest.cpp
  src/models/sampling_schedule.cpp
  src/models/analytic_shape.cpp
  src/models/random_model.cpp
)
# Without LibTorch the neural API (orfeas/neural.h) still links and reports that it is unavailable.
if(NOT ORFEAS_WITH_TORCH)
  list(APPEND ORFEAS_AREA_SOURCES src/models/neural_unavailable.cpp)
endif()
